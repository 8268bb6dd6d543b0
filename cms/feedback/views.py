"""POST /feedback/ — 「このページは役に立ちましたか？」 answers from any page.

No CSRF token: pages are served from the page cache, the answer is anonymous and
changes nothing but a counter editors read. Works without JavaScript (a thank-you
page) and with it (JSON, the form is replaced by a thank-you message).
"""

from __future__ import annotations

import re

from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.models import Page

from cms.core import jsonio

from .models import PageFeedback

MAX_COMMENT = 500
PAGE_ID = re.compile(r"[0-9]{1,18}")
# Control characters other than line breaks and tabs: nothing a resident types.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@csrf_exempt
@require_POST
def record_feedback(request):
    wants_json = "application/json" in request.headers.get("Accept", "")
    page_id = request.POST.get("page") or ""
    # Only public pages take answers; an id must fit a database integer (≤ 18 digits).
    page = (Page.objects.live().public().filter(pk=int(page_id)).first()
            if PAGE_ID.fullmatch(page_id) else None)
    helpful = request.POST.get("helpful")
    comment = (request.POST.get("comment") or "").strip()
    error = None
    if page is None:
        error = "ページが見つかりません。"
    elif helpful not in {"yes", "no"}:
        error = "「はい」か「いいえ」を選んでください。"
    elif len(comment) > MAX_COMMENT:
        error = f"ご意見は{MAX_COMMENT}文字以内でお願いします（いま{len(comment)}文字）。"
    elif jsonio.has_bad_chars(comment) or CONTROL.search(comment):
        error = "ご意見に使えない文字（制御文字）が含まれています。"
        comment = CONTROL.sub("", jsonio.without_bad_chars(comment))
    if error:
        if wants_json:
            return JsonResponse({"error": error}, status=400)
        return TemplateResponse(request, "feedback/thanks.html",
                                {"error": error, "back": page, "comment": comment}, status=400)
    PageFeedback.objects.create(page=page, helpful=helpful == "yes", comment=comment)
    if wants_json:
        return JsonResponse({"message": "ご回答ありがとうございました。"}, status=201)
    return TemplateResponse(request, "feedback/thanks.html", {"back": page}, status=201)
