// A scrutineer card's QR code opens the box page with the code after "#": the fragment never
// reaches the server (nor its access log). Copy it into the code field and clear it from the address.
(function () {
  var input = document.getElementById("id_code");
  if (!input) {
    return;
  }
  var code = decodeURIComponent(window.location.hash.slice(1));
  if (code) {
    input.value = code;
    history.replaceState(null, "", window.location.pathname + window.location.search);
    var filled = document.getElementById("code-filled");
    if (filled) {
      filled.hidden = false;
    }
  }
  // The code is typed in a text area (so that it wraps on a small phone); Enter still presents it.
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && input.form) {
      event.preventDefault();
      input.form.requestSubmit();
    }
  });
})();
