// A scrutineer card's QR code opens the box page with the code after "#": the fragment never
// reaches the server (nor its access log). Copy it into the code field and clear it from the address.
(function () {
  var code = decodeURIComponent(window.location.hash.slice(1));
  var input = document.getElementById("id_code");
  if (code && input) {
    input.value = code;
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
})();
