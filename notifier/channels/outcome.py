"""What one attempt at a push service or LINE ended in, in the terms of the state machine."""

from __future__ import annotations

from dataclasses import dataclass


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
    """Retry-After in seconds (the HTTP-date form is rare from push services; 60 s then)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return 60.0
