"""What one attempt at a platform ended in, in the terms of the delivery state machine,
and the rules every channel shares for reading a platform's answer."""

from __future__ import annotations

import http.client
import ssl
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

# A platform may ask for a pause (Retry-After); longer than this and we wait this long:
# a resident's notice must not sit for a day because of one header.
MAX_RETRY_AFTER = 3600.0


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent" | "failed_temporary" | "failed_permanent"
    error: str = ""
    retry_after: float | None = None  # seconds the service asked us to wait
    gone: bool = False  # the subscription no longer exists: delete the subscriber

    @classmethod
    def sent(cls) -> Outcome:
        return cls("sent")

    @classmethod
    def temporary(cls, error: str, retry_after: float | None = None) -> Outcome:
        return cls("failed_temporary", error[:500], retry_after)

    @classmethod
    def permanent(cls, error: str, gone: bool = False) -> Outcome:
        return cls("failed_permanent", error[:500], None, gone)


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as RFC 9110 §10.2.3 defines it: delay-seconds or an HTTP-date."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None  # unreadable: our own backoff applies
    if when.tzinfo is None:  # HTTP-dates are GMT
        when = when.replace(tzinfo=UTC)
    # the platform's clock, not the hub's shiftable one: compare with the real time
    return min(max(0.0, (when - timezone.now()).total_seconds()), MAX_RETRY_AFTER)


def from_http_status(status: int, detail: str, retry_after: str | None = None) -> Outcome:
    """429 and 5xx: back off and try again; any other refusal will not change by retrying."""
    if status == 429 or status >= 500:
        return Outcome.temporary(f"HTTP {status}: {detail}", parse_retry_after(retry_after))
    return Outcome.permanent(f"HTTP {status}: {detail}")


def from_exception(exc: BaseException) -> Outcome:
    """Whatever a single delivery raised, by kind: the network and the platform may get
    better (temporary); bad stored data or configuration will not (permanent)."""
    text = f"{exc.__class__.__name__}: {exc}"
    if isinstance(exc, ImproperlyConfigured):
        return Outcome.permanent(f"hub configuration: {exc}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Outcome.permanent(text)
    if isinstance(exc, (OSError, http.client.HTTPException, TimeoutError)):
        return Outcome.temporary(text)
    if isinstance(exc, (ValueError, TypeError, KeyError, LookupError, UnicodeError, AttributeError)):
        return Outcome.permanent(text)
    return Outcome.temporary(text)  # unknown: retried, within the attempt cap
