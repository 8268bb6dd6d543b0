/* The chat widget: a native <dialog> (focus trap and Escape for free), a log region
   that screen readers announce, and POST /api/chat/. No framework, no build step. */
(function () {
  "use strict";
  var root = document.querySelector(".chat-widget");
  if (!root || !window.fetch) return;
  var opener = root.querySelector(".chat-widget__open");
  var dialog = root.querySelector(".chat-widget__dialog");
  var closer = root.querySelector(".chat-widget__close");
  var log = root.querySelector(".chat-widget__log");
  var status = root.querySelector(".chat-widget__status");
  var form = root.querySelector(".chat-widget__form");
  var input = root.querySelector(".chat-widget__input");
  var english = (document.documentElement.lang || "ja").toLowerCase().indexOf("en") === 0;
  var T = english ? {
    open: "Ask a question (chat)", title: "Chat assistant", close: "Close the chat", label: "Question",
    send: "Send", you: "You", bot: "Assistant", waiting: "Looking for an answer…",
    page: "Read the page", search: "See search results",
    error: "Sorry, something went wrong. Please try again.", tooMany: "Too many messages. Please wait a minute."
  } : {
    open: "チャットで質問する", title: "くらしの質問チャット", close: "チャットを閉じる", label: "質問",
    send: "送信", you: "あなた", bot: "案内", waiting: "回答を探しています…",
    page: "くわしいページを見る", search: "サイト内検索の結果を見る",
    error: "すみません、うまく送れませんでした。もう一度お試しください。",
    tooMany: "短い時間に送信が多すぎます。1分ほど待ってからお試しください。"
  };
  if (english) {
    root.querySelector(".chat-widget__open-label").textContent = T.open;
    root.querySelector(".chat-widget__title").textContent = T.title;
    root.querySelector(".chat-widget__label").textContent = T.label;
    root.querySelector(".chat-widget__send").textContent = T.send;
    root.querySelector(".chat-widget__note").textContent =
      "This assistant understands Japanese. Please do not enter personal details.";
    closer.setAttribute("aria-label", T.close);
  }

  function senderId() {
    var key = "chuo-chat-sender";
    try {
      var id = window.sessionStorage.getItem(key);
      if (!id) {
        id = "web-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
        window.sessionStorage.setItem(key, id);
      }
      return id;
    } catch (e) {
      return "web-anonymous";
    }
  }

  function open() {
    if (typeof dialog.showModal === "function") dialog.showModal(); else dialog.setAttribute("open", "");
    opener.setAttribute("aria-expanded", "true");
    input.focus();
  }
  function close() {
    if (typeof dialog.close === "function") dialog.close(); else dialog.removeAttribute("open");
  }
  dialog.addEventListener("close", function () {
    opener.setAttribute("aria-expanded", "false");
    opener.focus();
  });
  opener.addEventListener("click", open);
  closer.addEventListener("click", close);
  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); close(); }
  });

  function say(who, text, cls) {
    var item = document.createElement("div");
    item.className = "chat-widget__msg chat-widget__msg--" + cls;
    var label = document.createElement("span");
    label.className = "chat-widget__who";
    label.textContent = who + "：";
    var body = document.createElement("span");
    body.className = "chat-widget__text";
    body.textContent = text;
    item.appendChild(label);
    item.appendChild(body);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    return item;
  }

  // Only links within this site or to https: pages are shown (never javascript:, data:,
  // or //other-host), whatever the server or the chatbot behind it sends.
  function safeUrl(url) {
    if (typeof url !== "string" || !url || /[\s\\\u0000-\u001f\u007f]/.test(url)) return null;
    if (url.charAt(0) === "/") return url.charAt(1) === "/" ? null : url;
    return /^https:\/\/[^\/@?#]+(?:[\/?#]|$)/i.test(url) ? url : null;
  }

  function showReply(reply) {
    var item = say(T.bot, typeof reply.text === "string" ? reply.text : "", "bot");
    var url = safeUrl(reply.url);
    if (url) {
      var link = document.createElement("a");
      link.className = "chat-widget__link";
      link.href = url;
      link.textContent = url.indexOf("/search/") === 0 ? T.search : T.page;
      var p = document.createElement("p");
      p.appendChild(link);
      item.appendChild(p);
    }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var message = input.value.trim();
    if (!message) return;
    say(T.you, message, "user");
    input.value = "";
    status.textContent = T.waiting;
    fetch(root.getAttribute("data-endpoint"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "omit",
      body: JSON.stringify({ sender: senderId(), message: message, lang: english ? "en" : "ja" })
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      status.textContent = "";
      if (result.data && result.data.replies) {
        result.data.replies.forEach(showReply);
      } else if (result.status === 429) {
        say(T.bot, T.tooMany, "bot");
      } else {
        say(T.bot, T.error, "bot");
      }
    }).catch(function () {
      status.textContent = "";
      say(T.bot, T.error, "bot");
    }).then(function () { input.focus(); });
  });
})();
