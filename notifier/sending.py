"""Sending what is due: claim, hand to the channel, record — for every registered channel.

Exactly-once, as far as each channel allows:
- A batched channel (LINE) resends a batch after a crash or timeout with the retry key
  stored before its first attempt; LINE treats it as the same request (409).
- Web Push has no such key. A delivery still "sending" when its worker died may or may
  not have reached the push service; the sweeper resends it (at least once). The resend
  carries the same `Topic` header, so a push service still holding the first copy
  replaces it (RFC 8030 §5.4), and the same notification `tag` (notice-<id>), so the
  service worker replaces rather than stacks it: the resident sees one notification.
  The window is one chunk (NOTIFIER_WEBPUSH_CHUNK rows) per killed worker.
"""

from __future__ import annotations

import logging

from . import channels
from .channels.base import safe
from .channels.outcome import Outcome
from .deliveries import Claim, claim_batch, claim_chunk, record
from .models import Notice

log = logging.getLogger(__name__)


def send_claim(notice: Notice, claim: Claim) -> None:
    client = channels.get(claim.channel)
    if not client.enabled():
        outcomes = {r.delivery_id: Outcome.permanent(f"{client.label} is not configured")
                    for r in claim.recipients}
    else:
        key = str(claim.batch.retry_key) if claim.batch is not None else None
        outcomes = safe(lambda: client.send(notice, claim.recipients, key), claim.recipients)
    record(claim, outcomes)


def _claim_next(notice_id: int, client) -> Claim | None:
    if client.batch_size > 1:
        return claim_batch(notice_id, client.name)
    return claim_chunk(notice_id, client.name)


def drain(notice_id: int) -> int:
    """Send everything of this notice that is due now; returns how many claims were sent."""
    notice = Notice.objects.get(pk=notice_id)
    clients = channels.all_channels()
    # batched channels first: one request reaches 500 residents, so all of LINE takes seconds
    clients.sort(key=lambda c: c.batch_size == 1)
    units = 0
    while True:
        progressed = False
        for client in clients:
            claim = _claim_next(notice_id, client)
            while claim is not None:
                send_claim(notice, claim)
                units += 1
                progressed = True
                # batched channels drain fully before the slower ones start
                claim = _claim_next(notice_id, client) if client.batch_size > 1 else None
        if not progressed:
            return units
