from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from xml.etree.ElementTree import Element

from .xml import UnreadableTelegram, child, moment, text

REAL = "通常"  # Control/Status of a real telegram; 訓練 and 試験 are drills
CANCEL = "取消"


@dataclass
class Header:
    """Who sent what and when: the telegram's identity, whatever feed entry carried it."""

    title: str  # Control/Title, the registry key
    status: str  # Control/Status: 通常 / 訓練 / 試験
    office: str
    head_title: str
    report_at: datetime | None
    event_id: str
    info_type: str  # 発表 / 訂正 / 取消 / 遅延
    serial: str

    @property
    def is_drill(self) -> bool:
        return self.status != REAL

    @property
    def identity(self) -> str:
        raw = "|".join([self.title, self.office, self.event_id,
                        self.report_at.isoformat() if self.report_at else "", self.info_type,
                        self.serial, self.status])
        return hashlib.sha256(raw.encode()).hexdigest()


@dataclass
class Reading:
    """What one telegram means for Chuo City.

    `rank` orders the states of one event (0 = nothing in force for Chuo); `urgent_from`
    is the rank from which a message ignores quiet hours and the site turns to its
    emergency layout (警報 and above)."""

    kind: str  # weather_warning / earthquake / tsunami / heavy_rain / river_flood
    event_key: str
    rank: int
    urgent_from: int
    summary: str  # for the editors' log: what applies to Chuo, e.g. "暴風警報、波浪警報"
    headline_ja: str = ""
    headline_en: str = ""
    body_ja: str = ""
    body_en: str = ""
    areas: list[str] = field(default_factory=list)  # ward area keys; [] = whole ward
    expires_at: datetime | None = None
    ends_event: bool = False  # the all-clear (解除) of what was in force
    mentions_ward: bool = True  # False: the telegram says nothing about the ward
    one_off: bool = False  # an observation with no lifting (震度, 記録的短時間大雨)

    @property
    def applies(self) -> bool:
        return self.rank > 0

    @property
    def at_warning_level(self) -> bool:
        return self.rank >= self.urgent_from


Reader = Callable[[Element, Header], Reading]
REGISTRY: dict[str, Reader] = {}


def reads(*titles: str):
    def register(func: Reader) -> Reader:
        for title in titles:
            REGISTRY[title] = func
        return func
    return register


def header(root: Element) -> Header:
    control, head = child(root, "Control"), child(root, "Head")
    title = text(control, "Title")
    if not title:
        raise UnreadableTelegram("Control/Title がありません")
    return Header(title=title, status=text(control, "Status"),
                  office=text(control, "EditorialOffice"), head_title=text(head, "Title"),
                  report_at=moment(text(head, "ReportDateTime")), event_id=text(head, "EventID"),
                  info_type=text(head, "InfoType"), serial=text(head, "Serial"))


def read(root: Element, head: Header) -> Reading | None:
    """None: a type this hub does not handle."""
    reader = REGISTRY.get(head.title)
    return reader(root, head) if reader else None
