"""Analyse every live page again for residents' search (after an upgrade of the analysis)."""

from django.core.management.base import BaseCommand

from cms.sitesearch.documents import rebuild


class Command(BaseCommand):
    help = "Rebuild residents' site search (SearchDocument, term counts, the full-text engine)."

    def handle(self, *args, **options):
        count = rebuild()
        self.stdout.write(f"indexed {count} live pages")
