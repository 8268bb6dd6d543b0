"""GET /api/alerts/ and GET /feeds/alerts/ (contract §2): the last 72 hours, newest first."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from cms.core import clock
from cms.core.links import absolute_url
from notifier.vocabulary import WHOLE_WARD

from .cap import atom_feed
from .emergency import DISASTER_PAGE
from .models import Alert

WINDOW = timedelta(hours=72)


def recent() -> list[Alert]:
    since = clock.now() - WINDOW
    return list(Alert.objects.filter(received_at__gte=since).select_related("references")
                .order_by("-received_at", "-pk"))


def _emergency() -> bool:
    from wagtail.models import Site

    from cms.core.models import EmergencySettings

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    return bool(site and EmergencySettings.for_site(site).active)


@require_GET
def api_alerts(request):
    lang = "en" if request.GET.get("lang") == "en" else "ja"
    return JsonResponse({
        "emergency": _emergency(),
        "alerts": [{
            "id": str(a.pk), "source": a.source, "kind": a.kind, "severity": a.severity,
            "status": a.status, "headline": a.headline_en if lang == "en" else a.headline_ja,
            "areas": a.areas or [WHOLE_WARD], "issued_at": a.issued_at.isoformat(),
            "url": absolute_url(DISASTER_PAGE),
        } for a in recent()],
    }, json_dumps_params={"ensure_ascii": False})


@require_GET
def feed_alerts(request):
    return HttpResponse(atom_feed(recent()), content_type="application/atom+xml; charset=utf-8")
