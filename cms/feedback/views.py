"""POST /feedback/ — 「このページは役に立ちましたか？」 answers from any page.

No CSRF token: pages are served from the page cache, the answer is anonymous and
changes nothing but a counter editors read. Works without JavaScript (a thank-you
page) and with it (JSON, the form is replaced by a thank-you message).
"""

from __future__ import annotations

from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from wagtail.models import Page

from .models import PageFeedback

MAX_COMMENT = 500


@csrf_exempt
@require_POST
def record_feedback(request):
    wants_json = "application/json" in request.headers.get("Accept", "")
    page = Page.objects.live().filter(pk=request.POST.get("page") or 0).first() \
        if (request.POST.get("page") or "").isdigit() else None
    helpful = request.POST.get("helpful")
    comment = (request.POST.get("comment") or "").strip()
    error = None
    if page is None:
        error = "ページが見つかりません。"
    elif helpful not in {"yes", "no"}:
        error = "「はい」か「いいえ」を選んでください。"
    elif len(comment) > MAX_COMMENT:
        error = f"ご意見は{MAX_COMMENT}文字以内でお願いします（いま{len(comment)}文字）。"
    if error:
        if wants_json:
            return JsonResponse({"error": error}, status=400)
        return TemplateResponse(request, "feedback/thanks.html",
                                {"error": error, "back": page, "comment": comment}, status=400)
    PageFeedback.objects.create(page=page, helpful=helpful == "yes", comment=comment)
    if wants_json:
        return JsonResponse({"message": "ご回答ありがとうございました。"}, status=201)
    return TemplateResponse(request, "feedback/thanks.html", {"back": page}, status=201)
