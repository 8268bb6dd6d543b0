"""/opendata/: the catalogue page and the downloads (contract §2)."""

from __future__ import annotations

import hashlib

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .catalogue import ATTRIBUTION, LICENSE_TITLE, LICENSE_URL, SAMPLE_REMARK, by_slug
from .examples import example_sources, excel_columns
from .service import contact_for, find_file, published_files


@require_safe
def catalogue(request: HttpRequest) -> HttpResponse:
    entries = [
        {"files": f, "dataset": f.dataset, "contact": contact_for(f.dataset),
         "rows": len(f.table.rows)}
        for f in published_files()
    ]
    return render(request, "opendata/catalogue.html", {
        "entries": entries,
        "license_title": LICENSE_TITLE,
        "license_url": LICENSE_URL,
        "attribution": ATTRIBUTION,
        "sample_remark": SAMPLE_REMARK,
        "evac": by_slug("evacuation_space"),
        "excel": excel_columns(),
        "examples": example_sources(),
    })


@require_safe
def download(request: HttpRequest, name: str) -> HttpResponse:
    found = find_file(name)
    if found is None:
        raise Http404("no such dataset file")
    content, media_type = found
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    if request.headers.get("If-None-Match") == etag:
        return HttpResponse(status=304, headers={"ETag": etag})
    response = HttpResponse(content, content_type=media_type)
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=600"
    response["Access-Control-Allow-Origin"] = "*"  # open data: usable from any web app
    if name.endswith(".csv"):
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
