"""Export the FAQ entries of live topic pages (and departments) for the Rasa assistant."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.assistant.export import BrokenAnswerLink, build_export, chatbot_dir


class Command(BaseCommand):
    help = (
        "Writes chatbot/data/nlu/faq.yml, chatbot/domain/faq.yml, chatbot/domain/ward.yml and "
        "chatbot/actions/contacts.json from the CMS; fails when an answer links to a "
        "missing or unpublished page."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, default=None, help="chatbot directory")
        parser.add_argument(
            "--check", action="store_true",
            help="write nothing; fail if the files on disk differ from the CMS",
        )

    def handle(self, *args, out: Path | None, check: bool, **options):
        out = out or chatbot_dir()
        try:
            export = build_export()
        except BrokenAnswerLink as exc:
            raise CommandError(str(exc)) from exc
        for warning in export.warnings:
            self.stderr.write(self.style.WARNING(warning))
        stale = []
        for relative, text in export.files.items():
            path = out / relative
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            stale.append(relative)
            if not check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        if check and stale:
            raise CommandError(
                "chatbot data is out of date with the CMS: " + ", ".join(stale)
                + " (run `uv run python manage.py export_chatbot_data`)"
            )
        verb = "checked" if check else ("updated " + ", ".join(stale) if stale else "unchanged")
        self.stdout.write(f"{export.faq_count} FAQ answers exported ({verb})")
