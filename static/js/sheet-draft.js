// Evaluation sheet drafts, kept in this browser only (localStorage), never sent to the server but with
// the sheet itself: the server must hold no link between a person and unfinished ratings. The sheet
// is one screen per evaluatee; the draft holds every screen's answers (the screen shown as radios
// and a comment box, the others as hidden fields the form carries). Erased once handed in.
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

  function load() {
    try { return JSON.parse(store.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }

  function collect() {
    var data = load();
    form.querySelectorAll("input[type=hidden][data-answer]").forEach(function (input) {
      if (input.value) { data[input.name] = input.value; }
    });
    form.querySelectorAll("input[type=radio]:checked").forEach(function (input) { data[input.name] = input.value; });
    form.querySelectorAll("textarea").forEach(function (area) {
      if (area.value) { data[area.name] = area.value; } else { delete data[area.name]; }
    });
    return data;
  }

  function save(announce) {
    store.setItem(key, JSON.stringify(collect()));
    if (announce) { say(form.getAttribute("data-msg-saved")); }
  }

  var data = load();
  var restored = false;
  Object.keys(data).forEach(function (name) {
    var value = String(data[name]);
    var group = form.querySelectorAll("input[type=radio]");
    var radio = null;
    var checked = false;
    group.forEach(function (input) {
      if (input.name !== name) { return; }
      if (input.checked) { checked = true; }
      if (input.value === value) { radio = input; }
    });
    if (radio && !checked) { radio.checked = true; restored = true; }
    form.querySelectorAll("textarea, input[type=hidden][data-answer]").forEach(function (field) {
      if (field.name === name && !field.value) { field.value = value; restored = true; }
    });
  });
  if (restored) { say(form.getAttribute("data-msg-restored")); }
  save(false);

  form.addEventListener("change", function () { save(false); });
  form.addEventListener("input", function () { save(false); });
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { save(true); });
  }
})();
