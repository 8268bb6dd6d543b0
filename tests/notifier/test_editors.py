"""Editors: compose with a reach preview, test to themselves, statistics, and news
notices that go out once per publish unless explicitly resent."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from cms.core.models import Area, Topic
from cms.pages.models import NewsIndexPage, NewsPage
from notifier.models import Delivery, Notice
from notifier.sending import drain

from .conftest import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_superuser("editor", "e@example.jp", "pw")
    client.force_login(user)
    return user


def test_compose_preview_test_send_and_statistics(client, editor, channels):
    push_service, line_api = channels
    make_resident(push_service, "line", ["kosodate"], ["nihonbashi"])
    make_resident(push_service, "webpush", ["kosodate"], [])
    make_resident(push_service, "webpush", ["kosodate"], ["tsukishima"])
    mine = make_resident(push_service, "webpush", ["gomi"], [], editor=editor)
    form = {"title": "保育園の申込", "body": "受付を始めました", "url": "/kosodate/",
            "topics": ["kosodate"], "areas": ["nihonbashi"], "severity": "info"}

    preview = client.post("/admin/notices/new/", {**form, "action": "preview"})
    html = preview.content.decode()
    assert 'data-channel="line">1<' in html and 'data-channel="webpush">1<' in html
    assert not Notice.objects.exists()  # a preview sends nothing

    client.post("/admin/notices/new/", {**form, "action": "test"})
    test = Notice.objects.get(is_test=True)
    drain(test.pk)
    assert [m["title"] for m in push_service.messages(mine.endpoint)] == ["【テスト】保育園の申込"]
    assert Delivery.objects.filter(notice=test).count() == 1  # only the editor's own device

    sent = client.post("/admin/notices/new/", {**form, "action": "send"})
    notice = Notice.objects.get(is_test=False)
    assert sent.status_code == 302 and sent["Location"].endswith(f"/admin/notices/{notice.pk}/")
    from notifier.notices import plan_deliveries

    plan_deliveries(notice)  # what the queued plan task does
    drain(notice.pk)
    stats = client.get(f"/admin/notices/{notice.pk}/").content.decode()
    assert "配信状況" in stats and "<td>1</td>" in stats
    assert Delivery.objects.filter(notice=notice, status="sent").count() == 2

    bad = client.post("/admin/notices/new/", {**form, "topics": [], "action": "send"})
    assert bad.status_code == 200 and Notice.objects.filter(is_test=False).count() == 1


def test_news_published_with_notify_sends_one_notice_even_when_republished(client, editor, channels):
    index = NewsIndexPage.objects.first()
    page = NewsPage(title="粗大ごみの受付時間が変わります", summary="7月から受付時間が変わります",
                    notify_subscribers=True, slug="sodai-gomi-jikan")
    index.add_child(instance=page)
    page.topics.set([Topic.objects.get(key="gomi")])
    page.areas.set([Area.objects.get(key="kyobashi")])
    page.save_revision(user=editor).publish()
    page.save_revision(user=editor).publish()  # saved and published again
    notices = Notice.objects.filter(source="news")
    assert notices.count() == 1
    notice = notices.get()
    assert notice.topics == ["gomi"] and notice.areas == ["kyobashi"] and notice.url.endswith("/sodai-gomi-jikan/")

    # only the editor's explicit 再送信 sends it again
    assert "再送信" in client.get(f"/admin/notices/news/{page.pk}/resend/").content.decode()
    client.post(f"/admin/notices/news/{page.pk}/resend/")
    assert Notice.objects.filter(source="news").count() == 2
    page.save_revision(user=editor).publish()
    assert Notice.objects.filter(source="news").count() == 2


def test_news_without_the_checkbox_sends_nothing(editor):
    index = NewsIndexPage.objects.first()
    page = NewsPage(title="区報", summary="", slug="kuho-test")
    index.add_child(instance=page)
    page.save_revision(user=editor).publish()
    assert not Notice.objects.exists()


def _staff(name: str, may_send: bool):
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission, Page

    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    root = Page.objects.get(depth=1)
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=group, page=root, permission=Permission.objects.get(codename=codename))
    user = get_user_model().objects.create_user(name, f"{name}@example.jp", "pw")
    user.groups.add(group)
    if may_send:
        user.user_permissions.add(Permission.objects.get(codename="add_notice",
                                                         content_type__app_label="notifier"))
    return user


def test_only_staff_who_may_send_notices_can_alert_the_ward_from_a_news_item(client, channels):
    moderator, sender = _staff("moderator", False), _staff("sender", True)
    index = NewsIndexPage.objects.first()
    page = NewsPage(title="避難所を開設しました", summary="区民館を開設", slug="hinanjo-kaisetsu")
    index.add_child(instance=page)
    page.topics.set([Topic.objects.get(key="bosai")])
    page.save_revision(user=moderator).publish()

    client.force_login(moderator)
    form = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'name="title"' in form
    assert 'name="urgent"' not in form and 'name="notify_subscribers"' not in form
    # the flags set another way (an old revision, a script): publishing asks again
    page.urgent = page.notify_subscribers = True
    page.save_revision(user=moderator).publish()
    assert not Notice.objects.exists()

    client.force_login(sender)
    form = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'name="urgent"' in form and 'name="notify_subscribers"' in form
    page.save_revision(user=sender).publish()
    notice = Notice.objects.get()
    assert notice.severity == "urgent" and notice.created_by == sender
