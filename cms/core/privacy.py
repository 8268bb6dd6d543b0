"""Masking what residents type before it is kept for editors (chat questions, searches).

Residents sometimes type their phone number or e-mail address into the chat or the
search box. The editors' reports only need the wording, so both are replaced before
anything is stored, in the forms Japanese keyboards produce too: full-width digits
and ＠ (０９０－１２３４－５６７８, ｔａｒｏ＠example.jp) and dotted numbers (090.1234.5678).
"""

from __future__ import annotations

import re

_ALNUM = "A-Za-z0-9Ａ-Ｚａ-ｚ０-９"
EMAIL = re.compile(
    rf"[{_ALNUM}._%+\-．＿－]+[@＠][{_ALNUM}\-－]+(?:[.．][{_ALNUM}\-－]+)+")
# Python's \d already matches full-width digits; the separators are the ones people type.
PHONE = re.compile(r"[(（]?\d(?:[\d\-‐‑–—―ーｰ－.．・･ 　()（）]){6,}\d")


def mask_personal_data(text: str) -> str:
    text = EMAIL.sub("［メール］", text)
    return PHONE.sub("［番号］", text)
