"""The default Wagtail Site follows HUB_BASE_URL (contract §3).

Wagtail writes absolute page links (API v2 `html_url`, `page.full_url` in the RSS feed)
from the Site's hostname and port, which its first migration sets to localhost:80. The
hub's public origin is HUB_BASE_URL, so after every `migrate` (and when load_content
creates the site) the default Site is set to it.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError

log = logging.getLogger(__name__)


def hub_host_and_port() -> tuple[str, int]:
    parts = urlsplit(settings.HUB_BASE_URL)
    default_port = 443 if parts.scheme == "https" else 80
    return (parts.hostname or "localhost"), (parts.port or default_port)


def sync_default_site(using: str = "default", **_kwargs) -> None:
    from wagtail.models import Site

    hostname, port = hub_host_and_port()
    try:
        site = Site.objects.using(using).filter(is_default_site=True).first()
        if site is None or (site.hostname, site.port) == (hostname, port):
            return
        if Site.objects.using(using).filter(hostname=hostname, port=port).exists():
            log.warning("another site already answers on %s:%s; default site left alone",
                        hostname, port)
            return
        site.hostname, site.port = hostname, port
        site.save(using=using)  # save(): Wagtail clears its cached site root paths
    except DatabaseError:  # wagtail's tables not migrated yet (a partial migrate)
        log.info("default site not synced with HUB_BASE_URL: tables missing")
