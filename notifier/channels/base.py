"""What every channel does, and nothing else: check a subscriber's address, render a
notice within the platform's limits, send a batch and say what happened to each delivery.

Modelled on GOV.UK Notify's app/clients/: one client per provider behind one base, the
rest of the notifier (claiming, recording, retrying, scheduling) never knows which.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .outcome import Outcome, from_exception
from .text import DoesNotFit

if TYPE_CHECKING:
    from notifier.models import Notice


class InvalidAddress(ValueError):
    """A subscriber address this channel can never deliver to; the message says why."""


@dataclass
class Recipient:
    """One delivery on its way: the row, and the subscriber's address on this channel."""

    delivery_id: int
    subscriber_id: int | None  # None: the resident left after the notice was planned
    lang: str = "ja"
    address: dict[str, str] = field(default_factory=dict)


def notice_text(notice: Notice, lang: str) -> tuple[str, str]:
    """(title, body) in the subscriber's language: English when the notice has it."""
    if lang == "en" and notice.title_en.strip():
        return notice.title_en, notice.body_en or notice.body
    return notice.title, notice.body


class ChannelClient(ABC):
    """Subclass, set the class attributes, implement the three methods, register the class
    in settings.NOTIFIER_CHANNELS. See the README's developer section."""

    name: ClassVar[str]  # stored in Subscriber.channel and Delivery.channel
    label: ClassVar[str]  # what editors see in the statistics
    # Subscriber fields this channel reads its address from ("address" for new channels)
    address_fields: ClassVar[tuple[str, ...]] = ("address",)
    # > 1: one request reaches up to this many residents; the notifier then groups
    # deliveries into batches whose retry key is stored before the first attempt.
    batch_size: ClassVar[int] = 1
    # Recipients per claim (channels sending one request each); the setting wins.
    chunk_setting: ClassVar[str] = "NOTIFIER_CHUNK"
    threads_setting: ClassVar[str] = "NOTIFIER_THREADS"

    @abstractmethod
    def validate_address(self, address: dict[str, Any]) -> None:
        """Raise InvalidAddress for an address that will never work."""

    @abstractmethod
    def render(self, notice: Notice, lang: str) -> Any:
        """The message as the platform takes it, within its limits; DoesNotFit if the
        title and link alone do not fit (then the notice is refused when composed)."""

    def enabled(self) -> bool:
        """False when the hub is not configured for this channel (nothing is sent)."""
        return True

    def check_configuration(self) -> None:
        """Raise ImproperlyConfigured at hub start for settings that cannot work."""
        return None

    # --- sending ------------------------------------------------------------------

    def send(self, notice: Notice, recipients: list[Recipient],
             retry_key: str | None = None) -> dict[int, Outcome]:
        """One outcome per delivery. The default sends one request per recipient on a
        thread pool; whatever one of them raises is that delivery's outcome only."""
        renders: dict[str, Any] = {}

        def one(recipient: Recipient) -> tuple[int, Outcome]:
            try:
                if recipient.subscriber_id is None:
                    return recipient.delivery_id, Outcome.permanent("the resident unsubscribed before sending")
                self.validate_address(recipient.address)
                if recipient.lang not in renders:
                    renders[recipient.lang] = self.render(notice, recipient.lang)
                return recipient.delivery_id, self.send_one(notice, renders[recipient.lang], recipient)
            except InvalidAddress as exc:
                return recipient.delivery_id, Outcome.permanent(f"invalid address: {exc}")
            except DoesNotFit as exc:
                return recipient.delivery_id, Outcome.permanent(f"notice does not fit: {exc}")
            except Exception as exc:  # noqa: BLE001 — one delivery's fault stays its own
                return recipient.delivery_id, from_exception(exc)

        if len(recipients) == 1:
            return dict([one(recipients[0])])
        return dict(self.pool().map(one, recipients))

    def send_one(self, notice: Notice, rendered: Any, recipient: Recipient) -> Outcome:
        raise NotImplementedError(f"{type(self).__name__} must implement send_one or send")

    _pools: ClassVar[dict[str, ThreadPoolExecutor]] = {}

    def pool(self) -> ThreadPoolExecutor:
        from django.conf import settings

        if self.name not in self._pools:
            threads = int(getattr(settings, self.threads_setting, 8))
            self._pools[self.name] = ThreadPoolExecutor(max_workers=threads,
                                                        thread_name_prefix=self.name)
        return self._pools[self.name]


def safe(fn: Callable[[], dict[int, Outcome]], recipients: list[Recipient]) -> dict[int, Outcome]:
    """A channel's send() that raised anyway: every delivery it held gets that outcome
    (a batch is one request, so it is one fault), never an escaped exception."""
    try:
        outcomes = fn()
    except Exception as exc:  # noqa: BLE001
        outcome = from_exception(exc)
        return {r.delivery_id: outcome for r in recipients}
    missing = Outcome.temporary("the channel gave no outcome for this delivery")
    return {r.delivery_id: outcomes.get(r.delivery_id, missing) for r in recipients}
