// Evaluation sheet drafts, kept in this browser only (localStorage), never sent to the server:
// the server must hold no link between a person and unfinished ratings. Erased once handed in.
(function () {
  "use strict";
  var store;
  try { store = window.localStorage; } catch (e) { return; }
  if (!store) { return; }

  document.querySelectorAll("[data-draft-clear]").forEach(function (el) {
    store.removeItem(el.getAttribute("data-draft-clear"));
  });

  var form = document.querySelector("form[data-draft-key]");
  if (!form) { return; }
  var key = form.getAttribute("data-draft-key");
  var status = document.querySelector(".draft-status");
  var button = form.querySelector(".draft-save");

  function say(text) {
    if (status) { status.textContent = text; status.hidden = false; }
  }

  function collect() {
    var data = {};
    form.querySelectorAll("input[type=radio]:checked").forEach(function (input) { data[input.name] = input.value; });
    form.querySelectorAll("textarea").forEach(function (area) { if (area.value) { data[area.name] = area.value; } });
    return data;
  }

  function save(announce) {
    store.setItem(key, JSON.stringify(collect()));
    if (announce) { say(form.getAttribute("data-msg-saved")); }
  }

  var saved = store.getItem(key);
  if (saved) {
    var data = {};
    try { data = JSON.parse(saved) || {}; } catch (e) { data = {}; }
    var restored = false;
    Object.keys(data).forEach(function (name) {
      var radio = form.querySelector("input[type=radio][name='" + name + "'][value='" + data[name] + "']");
      if (radio && !form.querySelector("input[type=radio][name='" + name + "']:checked")) {
        radio.checked = true; restored = true;
      }
      var area = form.querySelector("textarea[name='" + name + "']");
      if (area && !area.value) { area.value = data[name]; restored = true; }
    });
    if (restored) { say(form.getAttribute("data-msg-restored")); }
  }

  form.addEventListener("change", function () { save(false); });
  form.addEventListener("input", function () { save(false); });
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { save(true); });
  }
})();
