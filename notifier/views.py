"""Thin HTTP views: the push API (contract §2), the subscribe page and the service worker."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from cms.core import jsonio

from . import vocabulary
from .channels import webpush
from .subscriptions import BadSubscription, delete_browser_subscription, save_browser_subscription


def _bad(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_GET
def vapid_public_key(request):
    return JsonResponse({"publicKey": webpush.public_key()})


@csrf_exempt  # called by the page's script with JSON; no cookies are used or changed
@require_http_methods(["POST", "DELETE"])
def push_subscriptions(request):
    try:
        data = jsonio.decode(request.body or b"null", max_bytes=16 * 1024)
    except jsonio.BadInput as exc:
        return _bad(str(exc))
    try:
        if request.method == "DELETE":
            if not isinstance(data, dict):
                return _bad("body must be {\"endpoint\": str}")
            delete_browser_subscription(data.get("endpoint"))
            return HttpResponse(status=204)
        subscriber, created = save_browser_subscription(data)
    except BadSubscription as exc:
        return _bad(str(exc))
    return JsonResponse({"id": str(subscriber.pk)}, status=201 if created else 200)


@never_cache
def subscribe_page(request):
    return render(request, "notifier/subscribe.html", {
        "topics": vocabulary.topic_choices("ja"),
        "areas": vocabulary.area_choices("ja"),
    })


@require_GET
@cache_control(max_age=300)
def subscribe_script(request):
    # served by Django, like the service worker, so it works without collectstatic
    return HttpResponse(render_to_string("notifier/subscribe.js"),
                        content_type="application/javascript; charset=utf-8")


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    response = HttpResponse(render_to_string("notifier/sw.js"),
                            content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response
