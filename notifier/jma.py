"""The JMA feed watcher: warnings and earthquakes for Chuo City become urgent notices and
switch the site's emergency mode.

Feeds are JMA's Atom feeds (settings.JMA_FEED_URLS). For each new entry of a kind we
care about, the entry's XML (気象庁防災情報XML) is fetched once and read:
- 気象特別警報・警報・注意報 (VPWW54): Warning[type=気象警報・注意報（市町村等）]/Item whose
  Area/Code is the ward's code (taxonomy.yaml ward.jma_area_code, 1310200).
- 震度速報 (VXSE51) / 震源・震度に関する情報 (VXSE53): Intensity/Observation for
  東京都２３区 (area code 350) or the ward itself (city code 1310200).
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import feedparser
import requests
from django.conf import settings
from django.utils import timezone

from cms.core.taxonomy import ward

from .models import JmaFeedEntry, Notice, Severity, Source
from .notices import InvalidNotice, create_notice

log = logging.getLogger(__name__)

WARNING_TITLES = {"気象特別警報・警報・注意報"}
EARTHQUAKE_TITLES = {"震度速報", "震源・震度に関する情報"}
TOKYO_23_WARDS_CODE = "350"  # 地震情報／細分区域: 東京都２３区
INTENSITY_ORDER = ["1", "2", "3", "4", "5-", "5+", "6-", "6+", "7"]
INTENSITY_LABEL = {"5-": "5弱", "5+": "5強", "6-": "6弱", "6+": "6強"}
NOTIFY_FROM_INTENSITY = "3"
EMERGENCY_FROM_INTENSITY = "5-"
INACTIVE_KIND_STATUS = {"解除", "発表警報・注意報はなし"}
TIMEOUT = (3.05, 10)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(node, name):
    return [c for c in node if _local(c.tag) == name]


def _child(node, name):
    for c in node:
        if _local(c.tag) == name:
            return c
    return None


def _text(node, *path) -> str:
    for name in path:
        if node is None:
            return ""
        node = _child(node, name)
    return (node.text or "").strip() if node is not None else ""


def _iter(node, name):
    return (n for n in node.iter() if _local(n.tag) == name)


@dataclass
class Reading:
    """What an entry means for the ward."""

    title: str
    body: str
    url: str
    urgent: bool  # warning level or strong shaking: urgent notice
    emergency: bool  # switch the site to the emergency layout
    clears_emergency: bool = False  # every warning lifted
    key: str = ""  # one notice per key (an earthquake's EventID across its reports)
    notify: bool = True


def read_warnings(root, code: str) -> Reading | None:
    body = _child(root, "Body")
    if body is None:
        return None
    for warning in _children(body, "Warning"):
        if warning.get("type") != "気象警報・注意報（市町村等）":
            continue
        for item in _children(warning, "Item"):
            if _text(item, "Area", "Code") != code:
                continue
            kinds = [(_text(k, "Name"), _text(k, "Status")) for k in _children(item, "Kind")]
            active = [(n, s) for n, s in kinds if n and s not in INACTIVE_KIND_STATUS]
            warnings = [n for n, _ in active if "警報" in n]  # 警報 and 特別警報, not 注意報
            new = [n for n, s in active if s != "継続"]
            area = _text(item, "Area", "Name") or ward()["name_ja"]
            headline = _text(root, "Head", "Headline", "Text")
            url = f"https://www.jma.go.jp/bosai/warning/#area_type=class20s&area_code={code}"
            if not active:
                return Reading(f"{area}の警報・注意報は解除されました", headline or "解除", url,
                               urgent=False, emergency=False, clears_emergency=True,
                               notify=False)
            names = "、".join(n for n, _ in active)
            special = any("特別警報" in n for n in warnings)
            title = f"【{area}】" + ("特別警報" if special else "警報" if warnings else "注意報") + f"：{names}"
            text = headline or f"{area}に{names}が発表されています。"
            return Reading(title[:120], text, url, urgent=bool(warnings), emergency=bool(warnings),
                           notify=bool(new))
    return None


def read_earthquake(root, code: str) -> Reading | None:
    body = _child(root, "Body")
    intensity = _child(body, "Intensity") if body is not None else None
    observation = _child(intensity, "Observation") if intensity is not None else None
    if observation is None:
        return None
    strongest = None
    for area in _iter(observation, "Area"):
        if _text(area, "Code") == TOKYO_23_WARDS_CODE:
            strongest = _text(area, "MaxInt")
    for city in _iter(observation, "City"):
        if _text(city, "Code") == code:
            strongest = _text(city, "MaxInt") or strongest
    if strongest not in INTENSITY_ORDER:
        return None
    rank = INTENSITY_ORDER.index(strongest)
    if rank < INTENSITY_ORDER.index(NOTIFY_FROM_INTENSITY):
        return None
    label = INTENSITY_LABEL.get(strongest, strongest)
    strong = rank >= INTENSITY_ORDER.index(EMERGENCY_FROM_INTENSITY)
    hypocenter = ""
    for hypo in _iter(root, "Hypocenter"):
        hypocenter = _text(hypo, "Area", "Name")
    headline = _text(root, "Head", "Headline", "Text")
    text = headline or f"{hypocenter}を震源とする地震があり、中央区周辺で震度{label}を観測しました。"
    if strong:
        text += "\n身の安全を確保し、区の情報を確認してください。"
    return Reading(f"地震情報：中央区周辺で震度{label}", text,
                   "https://www.jma.go.jp/bosai/map.html#contents=earthquake_map",
                   urgent=strong, emergency=strong,
                   key=_text(root, "Head", "EventID"))


def read_entry_xml(xml: bytes, code: str) -> Reading | None:
    root = ET.fromstring(xml)
    kind = _text(root, "Control", "Title")
    if "警報" in kind:
        return read_warnings(root, code)
    if "震度" in kind or "震源" in kind:
        return read_earthquake(root, code)
    return None


def switch_emergency(reading: Reading) -> None:
    """The home page's urgent layout, unless an editor has taken it over."""
    from wagtail.models import Site

    from cms.core.models import EmergencySettings

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:
        return
    emergency = EmergencySettings.for_site(site)
    editor_owns_it = emergency.active and emergency.source not in ("", "jma")
    if editor_owns_it:
        return
    if reading.emergency:
        emergency.active = True
        emergency.headline = reading.title[:200]
        emergency.message = reading.body
        emergency.link_url = reading.url
    elif reading.clears_emergency and emergency.active:
        emergency.active = False
    else:
        return
    emergency.source = "jma"
    emergency.changed_at = timezone.now()
    emergency.save()


_http = requests.Session()
_feed_cache: dict[str, dict] = {}


def poll_feed(url: str) -> list[Notice]:
    """Look at one feed once; returns the notices it created."""
    cache = _feed_cache.setdefault(url, {})
    feed = feedparser.parse(url, etag=cache.get("etag"), modified=cache.get("modified"))
    if getattr(feed, "status", 200) == 304:
        return []
    if feed.get("bozo") and not feed.entries:
        log.warning("JMA feed %s unreadable: %s", url, feed.get("bozo_exception"))
        return []
    cache.update({"etag": feed.get("etag"), "modified": feed.get("modified")})
    code = ward()["jma_area_code"]
    created = []
    # oldest first, so a warning and its later lifting are applied in order
    for entry in sorted(feed.entries, key=lambda e: e.get("updated", "")):
        title = entry.get("title", "")
        entry_id = entry.get("id") or entry.get("link")
        if title not in WARNING_TITLES | EARTHQUAKE_TITLES or not entry_id:
            continue
        if JmaFeedEntry.objects.filter(entry_id=entry_id).exists():
            continue
        link = next((ln["href"] for ln in entry.get("links", []) if ln.get("type") == "application/xml"),
                    entry.get("link"))
        try:
            response = _http.get(link, timeout=TIMEOUT)
            response.raise_for_status()
            reading = read_entry_xml(response.content, code)
        except (requests.RequestException, ET.ParseError) as exc:
            log.warning("JMA entry %s not read (will retry): %s", entry_id, exc)
            continue
        notice = None
        if reading is not None:
            switch_emergency(reading)
            if reading.notify:
                try:
                    notice, new = create_notice(
                        title=reading.title, body=reading.body, url=reading.url, topics=["bosai"],
                        severity=Severity.URGENT if reading.urgent else Severity.INFO,
                        source=Source.JMA,
                        idempotency_key=f"jma:{reading.key or entry_id}"[:300],
                    )
                except InvalidNotice as exc:  # refused as written (e.g. a link too long)
                    log.error("JMA entry %s cannot be sent: %s", entry_id, exc)
                    notice, new = None, False
                if new:
                    created.append(notice)
        JmaFeedEntry.objects.get_or_create(entry_id=entry_id,
                                           defaults={"title": title[:200], "notice": notice})
    return created


def poll_all() -> list[Notice]:
    notices = []
    for url in settings.JMA_FEED_URLS:
        try:
            notices += poll_feed(url)
        except Exception:  # one broken feed must not stop the others or the loop
            log.exception("JMA feed %s failed", url)
    return notices
