"""The notifier's clock: polls JMA's feeds and sweeps stuck deliveries.

`make up` and the production `feeds` service run it as a loop; `--once` does one pass.
"""

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from notifier.jma import poll_all
from notifier.tasks import sweep

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Poll JMA Atom feeds for Chuo City warnings and earthquakes; sweep stuck deliveries."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one pass, then exit")
        parser.add_argument("--interval", type=float, default=settings.JMA_POLL_SECONDS)
        parser.add_argument("--sweep-interval", type=float, default=30.0)
        parser.add_argument("--no-sweep", action="store_true")

    def handle(self, *args, once=False, interval=60.0, sweep_interval=30.0, no_sweep=False, **opts):
        last_poll = 0.0
        while True:
            close_old_connections()
            if time.monotonic() - last_poll >= interval or once:
                last_poll = time.monotonic()
                for notice in poll_all():
                    self.stdout.write(f"notice {notice.pk}: {notice.title}")
            if not no_sweep:
                try:
                    result = sweep()
                    if any(result.values()):
                        self.stdout.write(f"sweep: {result}")
                except Exception:
                    log.exception("sweep failed")
            if once:
                return
            time.sleep(min(interval, sweep_interval))
