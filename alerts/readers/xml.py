"""Reading 気象庁防災情報XML by local element names (JMA uses one namespace per part)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET  # telegrams come from the network: no entity bombs


class UnreadableTelegram(ValueError):
    """Not a JMA XML telegram (broken XML, an HTML error page, another document)."""


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def child(node: Element | None, name: str) -> Element | None:
    if node is None:
        return None
    return next((c for c in node if local(c.tag) == name), None)


def children(node: Element | None, name: str) -> list[Element]:
    return [] if node is None else [c for c in node if local(c.tag) == name]


def find(node: Element | None, *path: str) -> Element | None:
    for name in path:
        node = child(node, name)
    return node


def text(node: Element | None, *path: str) -> str:
    node = find(node, *path)
    return (node.text or "").strip() if node is not None else ""


def descendants(node: Element | None, name: str) -> Iterator[Element]:
    if node is None:
        return iter(())
    return (n for n in node.iter() if local(n.tag) == name)


def parse(data: bytes) -> Element:
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # ParseError, DTD/entity refusals: all mean "not a telegram"
        raise UnreadableTelegram(f"XMLとして読めません: {exc}") from exc
    if local(root.tag) != "Report" or child(root, "Control") is None or child(root, "Head") is None:
        raise UnreadableTelegram(f"気象庁XMLの電文ではありません（ルート要素 {local(root.tag)}）")
    return root


def moment(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
