// 朗读: read a page's text aloud in Mandarin with the browser's own speech synthesis. Nothing is sent
// anywhere: no outside service is asked. The buttons (templates/_read_aloud.html) stay hidden unless
// the browser can speak and has a Chinese voice; voices may arrive later (voiceschanged).
(function () {
  "use strict";
  var synth = window.speechSynthesis;
  var buttons = document.querySelectorAll("button.read-aloud[data-read-target]");
  if (!synth || !window.SpeechSynthesisUtterance || !buttons.length) { return; }
  var speaking = null;

  function chineseVoice() {
    var voices = synth.getVoices() || [];
    var zh = voices.filter(function (v) { return (v.lang || "").toLowerCase().replace("_", "-").indexOf("zh") === 0; });
    return zh.filter(function (v) { return /^zh-cn/i.test((v.lang || "").replace("_", "-")); })[0] || zh[0] || null;
  }

  // The target's text as a reader hears it: without the buttons inside it (except the options of a
  // one-tap ballot, which are its answers) or what is marked to skip.
  function textOf(target) {
    var copy = target.cloneNode(true);
    copy.querySelectorAll("button:not(.option-button), script, style, [data-read-skip], [hidden]")
      .forEach(function (el) { el.remove(); });
    copy.querySelectorAll("input[type=radio], input[type=checkbox]").forEach(function (el) { el.remove(); });
    copy.querySelectorAll("legend, label, li, p, h1, h2, h3, dt, dd, td, th, button").forEach(function (el) {
      el.appendChild(document.createTextNode("。"));
    });
    return copy.textContent.replace(/\s+/g, " ").replace(/(。\s*)+/g, "。").replace(/^。/, "").trim();
  }

  function reset(button) {
    button.setAttribute("aria-pressed", "false");
    if (button.dataset.labelStart) { button.textContent = button.dataset.labelStart; }
  }

  function stop() {
    if (speaking) { reset(speaking); speaking = null; }
    synth.cancel();
  }

  function speak(button) {
    // The selector may name several parts of the page (a title, its facts, its text): read in page order.
    var targets = Array.prototype.slice.call(document.querySelectorAll(button.getAttribute("data-read-target")));
    var voice = chineseVoice();
    var text = targets.map(textOf).filter(Boolean).join("。");
    if (!text || !voice) { return; }
    var utterance = new window.SpeechSynthesisUtterance(text);
    utterance.lang = "zh-CN";
    utterance.voice = voice;
    utterance.rate = 0.9;  // a little slower than usual: the readers are often elderly
    utterance.onend = utterance.onerror = function () { if (speaking === button) { reset(button); speaking = null; } };
    speaking = button;
    button.dataset.labelStart = button.textContent;
    button.textContent = button.getAttribute("data-label-stop");
    button.setAttribute("aria-pressed", "true");
    synth.speak(utterance);
  }

  function show() {
    if (!chineseVoice()) { return; }
    buttons.forEach(function (button) { button.hidden = false; });
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var again = speaking === button;
      stop();
      if (!again) { speak(button); }
    });
  });
  show();
  if (synth.addEventListener) { synth.addEventListener("voiceschanged", show); }
  window.addEventListener("pagehide", stop);
})();
