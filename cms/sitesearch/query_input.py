"""What residents type into search, cleaned where it enters (/search/ and the API).

Both search views pass the raw query through here before anything else sees it:
control characters (NUL above all: PostgreSQL refuses it in any text value) become
spaces, and the text is cut to a length no column can overflow. Zero-result queries
are masked like chat questions before they are stored for editors.
"""

from __future__ import annotations

import re

from cms.core.privacy import mask_personal_data

MAX_RAW_QUERY = 200
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_search_input(raw: object) -> str:
    """The query as text search can use: no control characters, at most 200 characters."""
    if not isinstance(raw, str):
        return ""
    return _CONTROL.sub(" ", raw[: MAX_RAW_QUERY * 2])[:MAX_RAW_QUERY]


def record_zero_result(query: str) -> None:
    """Keep a query that found nothing for the editors' report, personal data masked."""
    from .models import ZeroResultQuery

    masked = mask_personal_data(query)
    if masked.strip():
        ZeroResultQuery.record(masked)
