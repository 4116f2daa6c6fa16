// The header's menu is a <details>: it opens and closes without this script. This only closes it
// on Escape (focus back on "Menu") and when the person taps or focuses somewhere outside it.
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  if (!menu) { return; }
  var summary = menu.querySelector("summary");
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      summary.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (menu.open && !menu.contains(event.target)) { menu.open = false; }
  });
  document.addEventListener("focusin", function (event) {
    if (menu.open && !menu.contains(event.target)) { menu.open = false; }
  });
}());
