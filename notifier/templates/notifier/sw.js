/* Service worker of the Chuo City hub (scope "/"): shows the ward's notices.
 * The same notice may arrive twice after a server crash; its tag (notice-<id>)
 * makes the second copy replace the first instead of showing a duplicate. */
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (e) {
    data = { body: event.data ? event.data.text() : "" };
  }
  const title = data.title || "中央区からのお知らせ";
  const options = {
    body: data.body || "",
    tag: data.tag || "chuo-notice",
    renotify: false,
    requireInteraction: data.severity === "urgent",
    lang: data.lang || "ja",
    data: { url: data.url || "/", id: data.id },
  };
  event.waitUntil(
    self.registration.showNotification(title, options)
      .then(() => self.clients.matchAll({ type: "window", includeUncontrolled: true }))
      .then((pages) => pages.forEach((page) =>
        page.postMessage({ type: "notice-shown", tag: options.tag, title: title, url: options.data.url })))
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((pages) => {
      for (const page of pages) {
        if (page.url === url && "focus" in page) return page.focus();
      }
      return self.clients.openWindow(url);
    })
  );
});
