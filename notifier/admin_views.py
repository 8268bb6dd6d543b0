"""Editors' screens in the Wagtail admin: compose (with a reach preview and a test to
themselves), delivery statistics, and the explicit 「再送信」 of a news item."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import vocabulary
from .channels import channel_choices
from .deliveries import failure_reasons, statistics
from .models import LineBatch, Notice, Severity, Subscriber
from .notices import InvalidNotice, create_notice, create_test_notice, validate
from .targeting import count_by_channel

can_send = permission_required("notifier.add_notice", raise_exception=True)


class NoticeForm(forms.Form):
    title = forms.CharField(label="件名", max_length=120)
    body = forms.CharField(label="本文", widget=forms.Textarea(attrs={"rows": 5}), max_length=1000)
    url = forms.CharField(label="詳しい情報のURL", required=False, max_length=500,
                          help_text="例：/gomi/ または https://…")
    topics = forms.MultipleChoiceField(label="分類", widget=forms.CheckboxSelectMultiple,
                                       choices=vocabulary.topic_choices)
    areas = forms.MultipleChoiceField(label="対象地域", required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      choices=vocabulary.area_choices,
                                      help_text="選ばない場合は区内全域")
    severity = forms.ChoiceField(label="重要度", choices=Severity.choices, initial=Severity.INFO,
                                 help_text="「緊急」かつ分類「防災・安全」は夜間の停止時間にも届きます")


def _notice_kwargs(form: NoticeForm) -> dict:
    data = form.cleaned_data
    return {"title": data["title"], "body": data["body"], "url": data["url"],
            "topics": data["topics"], "areas": data["areas"], "severity": data["severity"]}


@can_send
def index(request):
    notices = list(Notice.objects.filter(is_test=False)[:50])
    for notice in notices:
        stats = statistics(notice)
        notice.total = sum(sum(s.values()) for s in stats.values())
        notice.sent = sum(s["sent"] for s in stats.values())
    return render(request, "notifier/admin/index.html", {"notices": notices})


@can_send
def compose(request):
    form = NoticeForm(request.POST or None)
    reach = None
    own = Subscriber.objects.filter(editor=request.user).count()
    if request.method == "POST" and form.is_valid():
        kwargs = _notice_kwargs(form)
        action = request.POST.get("action")
        try:
            validate(kwargs["title"], kwargs["body"], kwargs["topics"], kwargs["areas"],
                     kwargs["url"], kwargs["severity"])  # a test goes out only if it could be sent
            if action == "send":
                notice, _ = create_notice(**kwargs, created_by=request.user)
                messages.success(request, f"「{notice.title}」の配信を開始しました。")
                return redirect("notifier_admin:detail", notice.pk)
            if action == "test":
                draft = Notice(**kwargs)
                test = create_test_notice(draft, request.user)
                messages.success(request, f"自分の登録端末 {test.deliveries.count()} 件にテスト送信しました。")
            reach = count_by_channel(vocabulary.topic_mask(kwargs["topics"]),
                                     vocabulary.area_mask(kwargs["areas"]))
        except InvalidNotice as exc:
            form.add_error(None, str(exc))
    return render(request, "notifier/admin/compose.html", {
        "form": form, "reach": reach, "reach_total": sum(reach.values()) if reach else 0,
        "own_devices": own, "channels": channel_choices(),
    })


@can_send
def detail(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk)
    stats = statistics(notice)
    labels = dict(channel_choices())
    rows = [(labels.get(name, name), counts) for name, counts in stats.items()]
    reasons = [(labels.get(c, c), reason, n) for c, reason, n in failure_reasons(notice)]
    return render(request, "notifier/admin/detail.html", {
        "notice": notice, "rows": rows, "statuses": ["pending", "sending", "sent",
                                                      "failed_temporary", "failed_permanent"],
        "line_batches": LineBatch.objects.filter(notice=notice).count(), "reasons": reasons,
    })


@can_send
def resend_news(request, page_id: int):
    from cms.pages.models import NewsPage

    from .news import news_notices
    from .news import resend_news as resend

    page = get_object_or_404(NewsPage, pk=page_id).specific
    if request.method == "POST":
        notice = resend(page, request.user)
        if notice is None:
            messages.error(request, "分類が設定されていないため送信できません。")
            return redirect("wagtailadmin_pages:edit", page.pk)
        messages.success(request, f"「{page.title}」を購読者に再送信しました。")
        return redirect("notifier_admin:detail", notice.pk)
    return render(request, "notifier/admin/resend.html", {
        "page": page, "previous": news_notices(page.pk),
    })


@require_POST
def mark_own_device(request):
    """Called by the subscribe page for a logged-in editor: this browser gets their tests."""
    import json

    from django.http import HttpResponse, JsonResponse

    if not (request.user.is_authenticated and request.user.has_perm("notifier.add_notice")):
        return JsonResponse({"error": "editors only"}, status=403)
    try:
        endpoint = json.loads(request.body)["endpoint"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "body must be {\"endpoint\": str}"}, status=400)
    updated = Subscriber.objects.filter(endpoint=endpoint).update(editor=request.user)
    return HttpResponse(status=204 if updated else 404)
