from django.core.management.base import BaseCommand, CommandError

from cms.pages.seed import ContentError, ContentLoader


class Command(BaseCommand):
    help = "Loads content/ into the site idempotently (see content/README.md for the rule)."

    def add_arguments(self, parser):
        parser.add_argument("--content-dir", default=None)
        parser.add_argument("--force", action="store_true",
                            help="overwrite pages editors changed since the last load")
        parser.add_argument("--if-empty", action="store_true",
                            help="do nothing when the site already has topic pages")

    def handle(self, *args, content_dir=None, force=False, if_empty=False, **options):
        from cms.core.sites import sync_default_site
        from cms.pages.models import TopicPage

        sync_default_site()  # absolute links start with HUB_BASE_URL (contract §3)
        if if_empty and TopicPage.objects.exists():
            self.stdout.write("site already has content; skipping load_content")
            return
        loader = ContentLoader(content_dir, force=force, log=self.stderr.write)
        try:
            report = loader.load()
        except ContentError as exc:
            raise CommandError(str(exc)) from exc
        sync_default_site()
        self.stdout.write(self.style.SUCCESS(f"load_content: {report.summary()}"))
        for label in report.conflicts:
            self.stdout.write(self.style.WARNING(f"  not overwritten (edited in admin): {label}"))
