"""What the ward's LINE account says and does: settings by quick reply, the rest to the
assistant. Postback data is `topic:<key>`, `area:<key|all>`, `menu:topics|areas|settings`."""

from __future__ import annotations

from linebot.v3.messaging import PostbackAction, QuickReply, QuickReplyItem, TextMessage

from cms.core.links import absolute_url
from cms.core.taxonomy import ward

from . import vocabulary
from .channels.line import ACTION_TEXT_LIMIT, LABEL_LIMIT, QUICK_REPLY_ITEMS, text_message
from .deliveries import forget_line_user
from .models import Channel, Subscriber

SETTINGS_WORDS = {"設定", "通知設定", "せってい", "settings", "setting", "menu", "メニュー"}
TOPIC_WORDS = {"分類", "トピック", "topics"}
AREA_WORDS = {"地域", "areas"}


def _item(label: str, data: str, display: str | None = None) -> QuickReplyItem:
    return QuickReplyItem(action=PostbackAction(label=label[:20], data=data,
                                                display_text=(display or label)[:300]))


def menu_quick_reply() -> QuickReply:
    return QuickReply(items=[_item("受け取る分類を選ぶ", "menu:topics"),
                             _item("地域を選ぶ", "menu:areas"),
                             _item("いまの設定", "menu:settings")])


def topics_quick_reply(subscriber: Subscriber) -> QuickReply:
    items = []
    for key, label in vocabulary.topic_choices("ja"):
        mark = "✓" if key in subscriber.topics else "＋"
        items.append(_item(f"{mark}{label}", f"topic:{key}", f"{label}（切り替え）"))
    items.append(_item("設定を終える", "menu:settings"))
    return QuickReply(items=items)


def areas_quick_reply(subscriber: Subscriber) -> QuickReply:
    items = [_item(("✓" if subscriber.area_mask == 0 else "＋") + "区内全域", "area:all")]
    for key, label in vocabulary.area_choices("ja"):
        mark = "✓" if key in subscriber.areas else "＋"
        items.append(_item(f"{mark}{label}", f"area:{key}", f"{label}（切り替え）"))
    items.append(_item("設定を終える", "menu:settings"))
    return QuickReply(items=items)


def describe(subscriber: Subscriber) -> str:
    topics = "、".join(vocabulary.topic_label(t) for t in subscriber.topics) or "（なし）"
    areas = "、".join(vocabulary.area_label(a) for a in subscriber.areas)
    return f"いまの通知設定\n分類：{topics}\n地域：{areas}"


def welcome(subscriber: Subscriber) -> list[TextMessage]:
    text = (f"友だち追加ありがとうございます。{ward()['name_ja']}からのお知らせです。\n"
            f"安全のため、まず「{vocabulary.topic_label('bosai')}」の通知を区内全域で受け取る設定にしました。\n"
            "受け取る分類や地域は下のボタンから変えられます。"
            "区の手続きなどの質問も、このトークに送ってください。")
    return [TextMessage(text=text, quick_reply=menu_quick_reply())]


def follow(user_id: str) -> Subscriber:
    subscriber, _ = Subscriber.objects.update_or_create(
        line_user_id=user_id,
        defaults={"channel": Channel.LINE, "topic_mask": vocabulary.TOPIC_BITS["bosai"],
                  "area_mask": 0},
    )
    return subscriber


def unfollow(user_id: str) -> None:
    for subscriber in Subscriber.objects.filter(line_user_id=user_id):
        forget_line_user(subscriber)  # out of batches still to be sent, too
        subscriber.delete()


def subscriber_for(user_id: str) -> Subscriber:
    """A friend we have no record of (e.g. added before the hub) starts safety-first."""
    return Subscriber.objects.filter(line_user_id=user_id).first() or follow(user_id)


def settings_command(subscriber: Subscriber, command: str) -> list[TextMessage] | None:
    """Handle a postback or settings word; None when it is not a settings command."""
    kind, _, key = command.partition(":")
    if command.strip().lower() in SETTINGS_WORDS or command == "menu:settings":
        return [TextMessage(text=describe(subscriber), quick_reply=menu_quick_reply())]
    if command.strip().lower() in TOPIC_WORDS or command == "menu:topics":
        return [TextMessage(text="受け取る分類を選んでください（押すたびに切り替わります）",
                            quick_reply=topics_quick_reply(subscriber))]
    if command.strip().lower() in AREA_WORDS or command == "menu:areas":
        return [TextMessage(text="地域を選んでください（押すたびに切り替わります）",
                            quick_reply=areas_quick_reply(subscriber))]
    if kind == "topic" and key in vocabulary.TOPIC_BITS:
        subscriber.topic_mask ^= vocabulary.TOPIC_BITS[key]
        subscriber.save(update_fields=["topic_mask", "updated_at"])
        state = "受け取ります" if key in subscriber.topics else "受け取りません"
        return [TextMessage(text=f"{vocabulary.topic_label(key)}の通知を{state}。\n{describe(subscriber)}",
                            quick_reply=topics_quick_reply(subscriber))]
    if kind == "area" and (key in vocabulary.AREA_BITS or key == vocabulary.WHOLE_WARD):
        if key == vocabulary.WHOLE_WARD:
            subscriber.area_mask = 0
        else:
            subscriber.area_mask ^= vocabulary.AREA_BITS[key]
        subscriber.save(update_fields=["area_mask", "updated_at"])
        return [TextMessage(text=describe(subscriber), quick_reply=areas_quick_reply(subscriber))]
    return None


def fallback_text() -> str:
    return ("ただいま自動応答を利用できません。区のホームページのサイト内検索をご利用いただくか、"
            f"{ward()['name_ja']}役所（代表 {ward()['main_phone']}）へお問い合わせください。")


def answer_with_assistant(user_id: str, text: str) -> list[TextMessage]:
    from cms.assistant.service import ChatbotUnavailable, ask

    try:
        body = ask(f"line:{user_id}", text[:500], "ja")
    except ChatbotUnavailable as exc:
        body = exc.body
    messages = []
    for reply in (body.get("replies") or [])[:5]:
        text_out = reply.get("text") or ""
        # The assistant answers with site-relative links; LINE needs the full address,
        # and a long answer is cut before its link, never through it.
        link = absolute_url(reply["url"]) if reply.get("url") else ""
        if not text_out.strip():
            continue
        quick = None
        buttons = [b for b in reply.get("buttons") or [] if b.get("title")]
        if buttons:
            from linebot.v3.messaging import MessageAction

            quick = QuickReply(items=[
                QuickReplyItem(action=MessageAction(label=b["title"][:LABEL_LIMIT],
                                                    text=b["title"][:ACTION_TEXT_LIMIT]))
                for b in buttons[:QUICK_REPLY_ITEMS]
            ])
        messages.append(text_message(text_out, link, quick))
    return messages or [TextMessage(text=fallback_text())]
