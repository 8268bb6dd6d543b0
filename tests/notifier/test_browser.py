"""The subscribe page in Chromium (PushManager.subscribe stubbed in the page, everything
else real: the hub, its API, the service worker) and the service worker's push handler
driven by CDP ServiceWorker.deliverPushMessage."""

from __future__ import annotations

import json

import pytest

from tests.support.clock import offset_to_tokyo
from tests.support.hub import HubProcess

from .servers import PushService

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def push_service():
    with PushService() as service:
        yield service


@pytest.fixture(scope="module")
def push_hub(tmp_path_factory, push_service):
    # the hub's clock shows 12:00 in Tokyo: the resident below chooses quiet hours
    # (22:00-07:00) and still expects the notice at once, at whatever hour the suite runs
    env = {"WEBPUSH_ALLOW_LOOPBACK": "1", "HUB_TASKS_BACKEND": "db",
           "HUB_CLOCK_OFFSET_SECONDS": str(offset_to_tokyo(12, 0))}
    with HubProcess(tmp_path_factory.mktemp("push-hub"), env=env) as hub:
        yield hub


STUB = """
(() => {
  const fake = %s;
  // like the browser, the subscription outlives a reload (kept in sessionStorage)
  const make = () => ({ endpoint: fake.endpoint, toJSON: () => fake,
                        unsubscribe: async () => { sessionStorage.removeItem("stubSub"); return true; } });
  PushManager.prototype.subscribe = async function (options) {
    window.__subscribeOptions = { userVisibleOnly: options.userVisibleOnly,
                                  keyLength: new Uint8Array(options.applicationServerKey).length };
    sessionStorage.setItem("stubSub", "1"); return make();
  };
  PushManager.prototype.getSubscription = async function () {
    return sessionStorage.getItem("stubSub") ? make() : null;
  };
})();
"""


def subscribers(hub) -> list[tuple]:
    return hub.query("SELECT endpoint, topic_mask, area_mask, quiet_start FROM notifier_subscriber")


def test_resident_subscribes_receives_and_cancels(page, push_hub, push_service):
    sub = push_service.subscription()
    page.context.grant_permissions(["notifications"], origin=push_hub.url)
    page.add_init_script(STUB % json.dumps(sub))
    page.goto(f"{push_hub.url}/")
    page.get_by_role("link", name="通知を受け取る").click()
    assert page.get_by_role("heading", name="通知を受け取る").is_visible()

    page.get_by_label("ごみ・リサイクル").check()
    page.get_by_label("月島地域").check()
    page.get_by_label("22時から7時までは通知しない").check()
    page.get_by_role("button", name="通知を受け取る").click()
    page.get_by_role("status").filter(has_text="登録しました").wait_for()
    assert page.evaluate("window.__subscribeOptions") == {"userVisibleOnly": True, "keyLength": 65}
    [(endpoint, topic_mask, area_mask, quiet)] = subscribers(push_hub)
    assert endpoint == sub["endpoint"] and topic_mask == 0b1001 and area_mask == 0b100
    assert str(quiet).startswith("22:00")  # text on SQLite, a time on PostgreSQL

    # a notice for Tsukishima's garbage subscribers reaches this browser's push service
    out = push_hub.manage("send_notice", "--topics", "gomi", "--areas", "tsukishima",
                          "--title", "資源回収の日", "--body", "月島の回収日です", "--url", "/gomi/").stdout
    assert "webpush: 1" in out
    push_hub.manage("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload")
    [message] = push_service.messages(sub["endpoint"])
    assert message["title"] == "資源回収の日" and message["url"] == f"{push_hub.url}/gomi/"

    # changing the choice updates the same subscription
    page.reload()
    page.get_by_role("button", name="設定を変更する").wait_for()
    page.get_by_label("健康・福祉").check()
    page.get_by_role("button", name="設定を変更する").click()
    page.get_by_role("status").filter(has_text="設定を変更しました").wait_for()
    assert subscribers(push_hub)[0][1] == 0b1101

    page.get_by_role("button", name="通知をやめる（登録を削除）").click()
    page.get_by_role("status").filter(has_text="登録した情報は削除しました").wait_for()
    assert subscribers(push_hub) == []


def test_service_worker_shows_the_pushed_notice(page, push_hub):
    page.context.grant_permissions(["notifications"], origin=push_hub.url)
    page.goto(f"{push_hub.url}/notifications/")
    page.evaluate("""() => { window.__shown = [];
        navigator.serviceWorker.addEventListener('message', (e) => window.__shown.push(e.data)); }""")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    for _ in range(50):
        if any(r["scopeURL"] == f"{push_hub.url}/" for r in registrations):
            break
        page.wait_for_timeout(100)
    registration = next(r for r in registrations if r["scopeURL"] == f"{push_hub.url}/")
    payload = {"id": 7, "tag": "notice-7", "title": "大雨警報", "body": "中央区に大雨警報",
               "url": f"{push_hub.url}/bosai/", "severity": "urgent"}
    for _ in range(2):  # the same notice twice (a resend after a crash): one notification
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": push_hub.url, "registrationId": registration["registrationId"],
            "data": json.dumps(payload, ensure_ascii=False)})
    # Polled with evaluate(): wait_for_function() compiles its predicate with eval, which
    # the site's Content-Security-Policy (rightly) forbids.
    for _ in range(100):
        if page.evaluate("window.__shown.length") >= 2:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.__shown")[0] == {"type": "notice-shown", "tag": "notice-7",
                                                  "title": "大雨警報", "url": f"{push_hub.url}/bosai/"}
    shown = page.evaluate("""async () => (await (await navigator.serviceWorker.ready)
        .getNotifications()).map((n) => ({title: n.title, tag: n.tag, body: n.body}))""")
    assert shown == [{"title": "大雨警報", "tag": "notice-7", "body": "中央区に大雨警報"}]
