// The open data API's docs page (/api/v1/docs, templates/api/docs.html): Redoc, started from this
// file because the site's Content-Security-Policy allows no inline script. Its settings (theme, the
// request's style nonce) come from api/v1/docs.py through the page's "redoc-settings" JSON.
(function () {
  "use strict";
  var root = document.getElementById("redoc-ui");
  var settings = JSON.parse(document.getElementById("redoc-settings").textContent);
  window.Redoc.init(root.dataset.specUrl, settings, root);
})();
