"""send_notice (contract §5): create a notice and queue its deliveries."""

from django.core.management.base import BaseCommand, CommandError

from notifier.models import Channel, Severity
from notifier.notices import InvalidNotice, create_notice


def _keys(value: str | None) -> list[str]:
    return [k.strip() for k in (value or "").split(",") if k.strip()]


class Command(BaseCommand):
    help = "Send a notice to every subscriber of its topics (and districts; none = whole ward)."

    def add_arguments(self, parser):
        parser.add_argument("--topics", required=True, help="topic keys, comma-separated")
        parser.add_argument("--areas", help="area keys, comma-separated (default: whole ward)")
        parser.add_argument("--title", required=True)
        parser.add_argument("--body", required=True)
        parser.add_argument("--url", default="")
        parser.add_argument("--severity", choices=Severity.values, default=Severity.INFO)

    def handle(self, *args, **opts):
        try:
            notice, _ = create_notice(
                title=opts["title"], body=opts["body"], topics=_keys(opts["topics"]),
                areas=_keys(opts["areas"]), url=opts["url"], severity=opts["severity"],
                plan_now=True,
            )
        except InvalidNotice as exc:
            raise CommandError(str(exc)) from exc
        counts = {c.value: notice.deliveries.filter(channel=c).count() for c in Channel}
        self.stdout.write(f"notice {notice.pk}")
        for channel, n in counts.items():
            self.stdout.write(f"{channel}: {n}")
        self.stdout.write(f"total: {sum(counts.values())}")
