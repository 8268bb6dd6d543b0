/* Resident tools on every page: furigana, text size, high contrast, read-aloud.
 * Plain buttons (keyboard: Tab + Enter/Space), state in aria-pressed, choices kept in
 * localStorage (and a cookie for furigana, which the server renders). */
(function () {
  "use strict";
  var root = document.documentElement;
  var tools = document.querySelector(".resident-tools");
  if (!tools) return;
  var en = tools.getAttribute("data-lang") === "en";
  var status = tools.querySelector(".tool-status");
  var store = {
    get: function (k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set: function (k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode */ } }
  };
  function say(text) { if (status) { status.textContent = ""; setTimeout(function () { status.textContent = text; }, 50); } }
  function press(button, on) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
  tools.hidden = false;

  /* Text size */
  var sizeButtons = tools.querySelectorAll("[data-text-size]");
  function setSize(size, announce) {
    root.setAttribute("data-text-size", size);
    store.set("textSize", size);
    sizeButtons.forEach(function (b) { press(b, b.getAttribute("data-text-size") === size); });
    if (announce) say((en ? "Text size " : "文字サイズ ") + size + "%");
  }
  sizeButtons.forEach(function (b) {
    b.addEventListener("click", function () { setSize(b.getAttribute("data-text-size"), true); });
  });
  setSize(store.get("textSize") || "100", false);

  /* High contrast */
  var contrast = tools.querySelector("[data-tool=contrast]");
  function setContrast(on, announce) {
    root.classList.toggle("contrast-high", on);
    store.set("contrast", on ? "high" : "normal");
    press(contrast, on);
    if (announce) say(on ? (en ? "High contrast on" : "高コントラスト表示にしました") : (en ? "High contrast off" : "通常の配色に戻しました"));
  }
  contrast.addEventListener("click", function () { setContrast(!root.classList.contains("contrast-high"), true); });
  setContrast(store.get("contrast") === "high", false);

  /* Furigana: the server adds <ruby> when the cookie says so; we fetch this page again
   * with the cookie and swap <main> in, so the reader keeps their place and focus. */
  var furigana = tools.querySelector("[data-tool=furigana]");
  function setCookie(on) {
    document.cookie = "furigana=" + (on ? "1" : "0") + "; path=/; max-age=31536000; SameSite=Lax";
  }
  function loadRuby() {
    var main = document.getElementById("main");
    if (!main || main.querySelector("ruby")) return Promise.resolve();
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("main");
        if (fresh) { main.innerHTML = fresh.innerHTML; bindFeedback(); }
      });
  }
  function setFurigana(on, announce) {
    setCookie(on);
    store.set("furigana", on ? "1" : "0");
    press(furigana, on);
    root.classList.toggle("furigana-on", on);
    if (on) {
      loadRuby().then(function () { if (announce) say("ふりがなを表示しました"); });
    } else if (announce) {
      say("ふりがなを消しました");
    }
  }
  if (furigana) {
    furigana.addEventListener("click", function () { setFurigana(furigana.getAttribute("aria-pressed") !== "true", true); });
    setFurigana(store.get("furigana") === "1", false);
  }

  /* Read aloud with the browser's own speech synthesis (nothing leaves the device). */
  var reader = tools.querySelector("[data-tool=read-aloud]");
  function stopReading() { if (window.speechSynthesis) window.speechSynthesis.cancel(); press(reader, false); }
  reader.addEventListener("click", function () {
    if (!("speechSynthesis" in window)) {
      say(en ? "Your browser cannot read pages aloud." : "お使いのブラウザは読み上げに対応していません。");
      return;
    }
    if (reader.getAttribute("aria-pressed") === "true") { stopReading(); say(en ? "Stopped reading" : "読み上げを止めました"); return; }
    var main = document.getElementById("main").cloneNode(true);
    main.querySelectorAll("rt, rp, script, style, form").forEach(function (n) { n.remove(); });
    var text = main.textContent.replace(/\s+/g, " ").trim();
    var utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = en ? "en-US" : "ja-JP";
    utterance.rate = 0.95;
    utterance.onend = function () { press(reader, false); };
    utterance.onerror = function (event) {
      press(reader, false);
      if (event.error !== "interrupted" && event.error !== "canceled") {
        say(en ? "This device could not read the page aloud (no voice installed)." : "この端末では読み上げできませんでした（音声が入っていません）。");
      }
    };
    window.speechSynthesis.cancel();
    window.speechSynthesis.speak(utterance);
    press(reader, true);
    say(en ? "Reading the page aloud. Press again to stop." : "読み上げています。もう一度押すと止まります。");
  });
  window.addEventListener("pagehide", stopReading);

  /* "Was this page useful?" without leaving the page (the form also works without JS). */
  function bindFeedback() {
    document.querySelectorAll("form[data-feedback]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var data = new FormData(form);
        if (event.submitter) data.append(event.submitter.name, event.submitter.value);
        var out = form.querySelector(".feedback-status");
        fetch(form.action, { method: "POST", body: data, headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (body) {
            out.textContent = body.message || body.error;
            if (body.message) form.querySelector("fieldset").disabled = true;
          })
          .catch(function () { out.textContent = en ? "Could not send. Please try again." : "送信できませんでした。もう一度お試しください。"; });
      });
    });
  }
  bindFeedback();
})();
