"""`python -m opendata export|validate|publish` (contract §4), run from the repository root.

    uv run python -m opendata export --out DIR   # 131024_<slug>.csv (UTF-8 BOM) + .json
    uv run python -m opendata validate [DIR]     # any municipality's files; default: the hub's own
    uv run python -m opendata publish            # validate everything, then CKAN_URL

Every problem is printed as `file:row:column: message`; the exit code is 1 when there is one.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _setup_django() -> None:
    """Datasets 06 and 12 come from the CMS, so every command needs the hub's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
    repo = Path(__file__).resolve().parents[1]
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    import django

    django.setup()


def _report(lines: list, out=sys.stdout) -> None:
    for line in lines:
        print(line, file=out)


def cmd_export(args: argparse.Namespace) -> int:
    from .export import build_all, write_all
    from .sources import SourceError

    try:
        files = build_all()
    except SourceError as exc:
        print(exc, file=sys.stderr)
        return 1
    problems = [v for f in files for v in f.violations()]
    written = write_all(Path(args.out), files)
    print(f"{len(written)} files written to {args.out}")
    if problems:
        _report(problems, sys.stderr)
        print(f"{len(problems)} problem(s): fix them before publishing", file=sys.stderr)
        return 1
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .validation import inspect_directory

    if args.dir:
        directory = Path(args.dir)
        if not directory.is_dir():
            print(f"{directory}: no such directory", file=sys.stderr)
            return 2
        reports, missing = inspect_directory(directory)
        for report in reports:  # which dataset and 定義書 version each file was checked as
            print(f"{report.file}: {report.follows}として検査", file=sys.stderr)
        problems = [v for r in reports for v in r.violations] + missing
        checked = len(reports)
    else:
        from .export import build_all
        from .sources import SourceError

        try:
            files = build_all()
        except SourceError as exc:
            print(exc)
            return 1
        problems = [v for f in files for v in f.violations()]
        checked = len(files)
    _report(problems)
    if problems:
        print(f"{len(problems)} problem(s) in {checked} file(s)", file=sys.stderr)
        return 1
    print(f"OK: {checked} file(s) follow the national standard schema", file=sys.stderr)
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from django.conf import settings

    from .ckan import PublishError, publish_all

    url = args.ckan_url or settings.CKAN_URL
    key = args.api_key or settings.CKAN_API_KEY
    if not url:
        print("CKAN_URL is not set: nothing to publish to (use `export` for files)", file=sys.stderr)
        return 2
    try:
        result = publish_all(url, key, progress=not args.quiet)
    except PublishError as exc:
        print(exc, file=sys.stderr)
        return 1
    _report(result.lines())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m opendata", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write every dataset as CSV and JSON")
    export.add_argument("--out", required=True, help="directory to write the files into")
    validate = commands.add_parser("validate", help="check CSV files against the standard schemas")
    validate.add_argument("dir", nargs="?", help="directory of CSV files (default: the hub's own data)")
    publish = commands.add_parser("publish", help="validate, then publish to CKAN")
    publish.add_argument("--ckan-url", help="default: settings.CKAN_URL")
    publish.add_argument("--api-key", help="default: settings.CKAN_API_KEY")
    publish.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    _setup_django()
    return {"export": cmd_export, "validate": cmd_validate, "publish": cmd_publish}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
