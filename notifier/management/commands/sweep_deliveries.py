"""Re-queue deliveries a crashed worker left behind (also done by watch_jma_feeds)."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from notifier.tasks import sweep


class Command(BaseCommand):
    help = "Reclaim stale deliveries and re-queue idle notices; --every N to loop."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="seconds between sweeps")

    def handle(self, *args, every=0, **opts):
        while True:
            close_old_connections()
            self.stdout.write(f"sweep: {sweep()}")
            if not every:
                return
            time.sleep(every)
