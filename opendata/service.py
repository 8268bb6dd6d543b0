"""The published files, built once and shared by the site, the admin and CKAN publishing.

Building every dataset takes a few hundred milliseconds (the events come from the CMS),
so the site keeps the result in the cache and rebuilds it when news is published or
after CACHE_SECONDS, rather than on each download.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from .catalogue import Dataset
from .export import DatasetFiles, build_all

CACHE_KEY = "opendata:files:v1"
CACHE_SECONDS = 600


def published_files(fresh: bool = False) -> list[DatasetFiles]:
    files = None if fresh else cache.get(CACHE_KEY)
    if files is None:
        files = build_all()
        cache.set(CACHE_KEY, files, CACHE_SECONDS)
    return files


def forget_published_files(**_kwargs) -> None:
    """Signal receiver: news changed, so 12 イベント一覧 and 06 must be rebuilt."""
    cache.delete(CACHE_KEY)


def find_file(name: str) -> tuple[bytes, str] | None:
    for item in published_files():
        if found := item.file(name):
            return found
    return None


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


def contact_for(dataset: Dataset) -> Contact:
    """The department that answers questions about a dataset (the 担当課 snippet)."""
    from cms.core.models import Department
    from cms.core.taxonomy import ward

    department = Department.objects.filter(key=dataset.department).first()
    if department is None:
        return Contact(f"{ward()['name_ja']}役所", ward()["main_phone"])
    name = department.name.split("（")[0]
    return Contact(name, department.phone or ward()["main_phone"])
