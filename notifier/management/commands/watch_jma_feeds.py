"""The notifier's clock: polls JMA's feeds (alerts/feeds.py) and sweeps stuck deliveries.

`make up` and the production `feeds` service run it as a loop; `--once` does one pass
(contract §5): every feed once, every new telegram fully processed and its notices
queued, then exit 0.
"""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from alerts.feeds import poll_all
from notifier.tasks import sweep

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Poll JMA Atom feeds for Chuo City alerts; sweep stuck deliveries."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=float, default=settings.JMA_POLL_SECONDS)
        parser.add_argument("--sweep-interval", type=float, default=30.0)
        parser.add_argument("--no-sweep", action="store_true")

    def handle(self, *args, once=False, interval=30.0, sweep_interval=30.0, no_sweep=False,
               **opts):
        last_poll = last_sweep = float("-inf")
        while True:
            # Between passes of the long-running loop only: a single pass (--once, e.g.
            # inside a test's transaction on PostgreSQL) must keep its caller's connection.
            if not once:
                close_old_connections()
            if time.monotonic() - last_poll >= interval or once:
                last_poll = time.monotonic()
                for telegram in poll_all():
                    self.stdout.write(f"{telegram.title}: {telegram.get_state_display()} "
                                      f"{telegram.action}")
            if not no_sweep and (once or time.monotonic() - last_sweep >= sweep_interval):
                last_sweep = time.monotonic()
                try:
                    result = sweep()
                    if any(result.values()):
                        self.stdout.write(f"sweep: {result}")
                except Exception:
                    log.exception("sweep failed")
            if once:
                return
            time.sleep(max(0.2, min(interval, sweep_interval) / 10))
