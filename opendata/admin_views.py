"""「検証して公開」 in the Wagtail admin: the same checks and messages as the CLI."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .ckan import PublishError, publish_all
from .service import forget_published_files, published_files


def validate_and_publish(request: HttpRequest) -> HttpResponse:
    files = published_files(fresh=True)  # what is in content/ and the CMS right now
    problems = {f.dataset.slug: [str(v) for v in f.violations()] for f in files}
    outcome: list[str] = []
    error = ""
    if request.method == "POST":
        if not request.user.is_superuser:
            raise PermissionDenied("公開できるのは管理者だけです")
        if not settings.CKAN_URL:
            error = "CKAN_URL が設定されていないため、公開先がありません（サイトの /opendata/ では公開中です）。"
        else:
            try:
                outcome = publish_all(settings.CKAN_URL, settings.CKAN_API_KEY, files=files,
                                      progress=False).lines()
            except PublishError as exc:
                error = str(exc)
        forget_published_files()
    return render(request, "opendata/admin/publish.html", {
        "rows": [(f, problems[f.dataset.slug]) for f in files],
        "problem_count": sum(len(p) for p in problems.values()),
        "ckan_url": settings.CKAN_URL,
        "outcome": outcome,
        "error": error,
        "can_publish": request.user.is_superuser,
    })
