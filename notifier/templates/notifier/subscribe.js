/* 「通知を受け取る」: register the service worker, ask permission, subscribe with the
 * hub's VAPID key and send the choice to /api/push/subscriptions. No framework. */
(function () {
  "use strict";
  const form = document.getElementById("notify-form");
  const status = document.getElementById("notify-status");
  const submit = document.getElementById("subscribe-button");
  const cancel = document.getElementById("unsubscribe-button");
  const STORE = "chuo-notify-choice";

  function say(text) { status.textContent = text; }
  function checked(name) {
    return Array.from(form.querySelectorAll('input[name="' + name + '"]:checked')).map((i) => i.value);
  }
  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }
  function showSubscribed(yes) {
    cancel.hidden = !yes;
    submit.textContent = yes ? "設定を変更する" : "通知を受け取る";
  }
  function restore() {
    try {
      const saved = JSON.parse(localStorage.getItem(STORE) || "null");
      if (!saved) return;
      form.querySelectorAll("input[type=checkbox]").forEach((box) => {
        if (box.name === "topics") box.checked = saved.topics.includes(box.value);
        if (box.name === "areas") box.checked = saved.areas.includes(box.value);
        if (box.name === "quiet") box.checked = !!saved.quiet;
      });
    } catch (e) { /* a broken saved choice only loses the pre-filled boxes */ }
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    submit.disabled = true;
    say("このブラウザーは通知に対応していません。LINEでの受け取りをご利用ください。");
    return;
  }
  const ready = navigator.serviceWorker.register("/sw.js", { scope: "/" })
    .then(() => navigator.serviceWorker.ready);
  ready.then((reg) => reg.pushManager.getSubscription()).then((sub) => {
    if (sub) { restore(); showSubscribed(true); }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const topics = checked("topics");
    const areas = checked("areas");
    const quiet = checked("quiet").length > 0;
    if (!topics.length) { say("分類を1つ以上選んでください。"); return; }
    submit.disabled = true;
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        say("通知が許可されませんでした。ブラウザーの設定でこのサイトの通知を許可してください。");
        return;
      }
      const reg = await ready;
      let sub = await reg.pushManager.getSubscription();
      if (!sub) {
        const key = await (await fetch("/api/push/vapid-public-key")).json();
        sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key.publicKey) });
      }
      const body = { subscription: sub.toJSON(), topics: topics, areas: areas, lang: document.documentElement.lang === "en" ? "en" : "ja" };
      if (quiet) body.quiet_hours = { start: "22:00", end: "07:00" };
      const response = await fetch("/api/push/subscriptions", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      const result = await response.json();
      if (!response.ok) { say("登録できませんでした：" + (result.error || response.status)); return; }
      const editorDevice = document.getElementById("editor-device");
      if (editorDevice && editorDevice.checked) {
        const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
        await fetch("/notifications/mine", {
          method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ endpoint: sub.endpoint }),
        });
      }
      localStorage.setItem(STORE, JSON.stringify({ topics: topics, areas: areas, quiet: quiet }));
      showSubscribed(true);
      say(response.status === 201 ? "登録しました。選んだお知らせを通知でお届けします。" : "設定を変更しました。");
    } catch (e) {
      say("登録できませんでした。時間をおいてもう一度お試しください。");
    } finally {
      submit.disabled = false;
    }
  });

  cancel.addEventListener("click", async () => {
    const reg = await ready;
    const sub = await reg.pushManager.getSubscription();
    if (sub) {
      const response = await fetch("/api/push/subscriptions", {
        method: "DELETE", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ endpoint: sub.endpoint }),
      });
      if (!response.ok) { say("解除できませんでした。もう一度お試しください。"); return; }
      await sub.unsubscribe();
    }
    localStorage.removeItem(STORE);
    showSubscribed(false);
    say("通知をやめました。登録した情報は削除しました。");
  });
})();
