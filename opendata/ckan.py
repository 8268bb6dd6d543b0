"""Publishes the datasets to the ward's CKAN catalogue, idempotently.

Order of work, and what a failure leaves behind:
1. Every dataset is built and validated first; one violation and CKAN is not contacted.
2. CKAN is reached and the API key checked (organization chuo-city, created if missing)
   before any dataset is touched.
3. Then dataset by dataset (each one converges on its own):
   a. the dataset is created if missing (metadata only, no files yet);
   b. each file (CSV, JSON) is uploaded only when its SHA-256 differs from the `hash`
      stored on the CKAN resource; the new file and its hash go in one resource call,
      so a resource's hash always describes the file it serves;
   c. the dataset metadata (including `modified`) is patched last, and only if it
      changed: a dataset only claims to be updated once all its files are.
   `package_patch`/`resource_patch` change only the given fields, so resources or
   metadata that staff added by hand in CKAN are left alone.
A failure mid-run therefore leaves earlier datasets fully published, later ones
untouched, and the failing one with old metadata and each file either old or new.
Running publish again uploads only what is still different.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import ckanapi
import requests

from .catalogue import (
    ATTRIBUTION,
    LG_CODE,
    LICENSE_ID,
    SAMPLE_REMARK,
    WARD_NAME,
)
from .export import DatasetFiles

ORGANIZATION = {"name": "chuo-city", "title": WARD_NAME,
                "description": f"東京都中央区（全国地方公共団体コード {LG_CODE}）のオープンデータ"}
STANDARD_TAGS = ("自治体標準ODS", "推奨データセット")
SAMPLE_TAG = "サンプルデータ"
USER_AGENT = "chuo-hub-opendata/1.0"
_TAG_UNSAFE = re.compile(r"[^\w \-.]")  # CKAN accepts letters, digits, space, - _ .


class PublishError(Exception):
    """Something the person publishing must fix; the message says what and what was left."""


@dataclass
class DatasetOutcome:
    label: str
    ckan_name: str
    created: bool = False
    uploaded: list[str] = field(default_factory=list)
    metadata_changed: bool = False

    def line(self) -> str:
        if self.created:
            state = "新規作成"
        elif self.uploaded or self.metadata_changed:
            state = "更新"
        else:
            state = "変更なし"
        files = f"（送信: {', '.join(self.uploaded)}）" if self.uploaded else ""
        return f"{self.label}: {state}{files} -> {self.ckan_name}"


@dataclass
class PublishResult:
    ckan_url: str
    datasets: list[DatasetOutcome] = field(default_factory=list)

    @property
    def uploads(self) -> int:
        return sum(len(d.uploaded) for d in self.datasets)

    def lines(self) -> list[str]:
        return [d.line() for d in self.datasets] + [
            f"{len(self.datasets)} datasets published to {self.ckan_url}, {self.uploads} file(s) uploaded"]


def tag(name: str) -> dict[str, str]:
    return {"name": _TAG_UNSAFE.sub("-", name)}


def package_metadata(files: DatasetFiles, owner_org: str, site_url: str) -> dict:
    """The dataset as CKAN (and DCAT harvesters reading CKAN) should describe it."""
    from .service import contact_for

    dataset = files.dataset
    contact = contact_for(dataset)
    sample = files.has_sample_rows
    notes = [dataset.description]
    if sample:
        notes.insert(0, f"**サンプルデータを含みます（実データではありません）。** 該当する行の備考に「{SAMPLE_REMARK}」とあります。")
    if dataset.provenance:
        notes.append(f"データの来歴：{dataset.provenance}")
    notes.append(f"国の「自治体標準オープンデータセット」{dataset.no} {dataset.title} の項目と順番"
                 f"（{dataset.version}）に合わせたCSV（UTF-8 BOM付き）とJSONです。"
                 + ("項目の一部は暫定です。" if dataset.any_provisional else ""))
    notes.append(f"ライセンス：CC BY 4.0。出典の書き方：「{dataset.attribution or ATTRIBUTION}」")
    extras = {
        "identifier": dataset.ckan_name,
        "conforms_to": f"自治体標準オープンデータセット {dataset.no} {dataset.title}（{dataset.version}）",
        "frequency": dataset.update_frequency,
        "modified": files.modified.isoformat() if files.modified else "",
        "language": "ja",
        "theme": dataset.category,
        "publisher_name": WARD_NAME,
        "local_government_code": LG_CODE,
        "contact_name": contact.name,
        "contact_phone": contact.phone,
        "attribution": dataset.attribution or ATTRIBUTION,
        "sample": "true" if sample else "false",
        "columns_provisional": "true" if dataset.any_provisional else "false",
    }
    tags = [tag(t) for t in (*STANDARD_TAGS, dataset.title)] + ([tag(SAMPLE_TAG)] if sample else [])
    return {
        "name": dataset.ckan_name,
        "title": dataset.title + ("（サンプルデータ）" if sample else ""),
        "notes": "\n\n".join(notes),
        "owner_org": owner_org,
        "license_id": LICENSE_ID,
        "url": f"{site_url.rstrip('/')}/opendata/#{dataset.slug}",
        "author": WARD_NAME,
        "maintainer": contact.name,
        "private": False,
        "tags": tags,
        "extras": [{"key": k, "value": v} for k, v in extras.items()],
    }


def _differs(current: dict, wanted: dict) -> bool:
    for key, value in wanted.items():
        if key == "tags":
            if sorted(t["name"] for t in current.get("tags", [])) != sorted(t["name"] for t in value):
                return True
        elif key == "extras":
            have = {e["key"]: e["value"] for e in current.get("extras", [])}
            if any(have.get(e["key"]) != e["value"] for e in value):
                return True
        elif key == "owner_org":
            if (current.get("organization") or {}).get("name") != value:
                return True
        elif isinstance(value, bool):
            if bool(current.get(key)) != value:
                return True
        elif (current.get(key) or "") != (value or ""):
            return True
    return False


class Publisher:
    def __init__(self, ckan_url: str, api_key: str, site_url: str) -> None:
        self.ckan_url = ckan_url.rstrip("/")
        self.site_url = site_url
        self.ckan = ckanapi.RemoteCKAN(self.ckan_url, apikey=api_key, user_agent=USER_AGENT)

    # --- the checks done before anything is written ------------------------------------
    def check_reachable(self) -> None:
        status = self.ckan.action.status_show()
        if not str(status.get("ckan_version", "")).startswith("2."):
            raise PublishError(f"{self.ckan_url} は CKAN 2.x ではないようです（{status}）")

    def ensure_organization(self) -> str:
        name = ORGANIZATION["name"]
        allowed = self.ckan.action.organization_list_for_user(permission="create_dataset")
        if any(o["name"] == name for o in allowed):
            return name
        try:
            self.ckan.action.organization_show(id=name)
        except ckanapi.NotFound:
            self.ckan.action.organization_create(**ORGANIZATION)  # NotAuthorized -> auth error
            return name
        raise ckanapi.NotAuthorized(f"no permission to create datasets in {name}")

    # --- one dataset -----------------------------------------------------------------
    def publish(self, files: DatasetFiles, owner_org: str) -> DatasetOutcome:
        dataset = files.dataset
        outcome = DatasetOutcome(dataset.label, dataset.ckan_name)
        wanted = package_metadata(files, owner_org, self.site_url)
        try:
            package = self.ckan.action.package_show(id=dataset.ckan_name)
        except ckanapi.NotFound:
            # metadata without `modified` until the files are in (see the module docstring)
            first = dict(wanted, extras=[e for e in wanted["extras"] if e["key"] != "modified"])
            package = self.ckan.action.package_create(**first)
            outcome.created = True
        resources = {r.get("name"): r for r in package.get("resources", [])}
        for name, content, digest, fmt, mimetype, description in (
            (dataset.csv_name, files.csv_bytes, files.csv_hash, "CSV", "text/csv",
             "CSV（UTF-8 BOM付き、自治体標準オープンデータセットの項目順）"),
            (dataset.json_name, files.json_bytes, files.json_hash, "JSON", "application/json",
             "JSON（UTF-8、CSVと同じ内容）"),
        ):
            existing = resources.get(name)
            if existing and existing.get("hash") == digest:
                continue
            fields = {"name": name, "format": fmt, "mimetype": mimetype, "description": description,
                      "hash": digest, "upload": (name, io.BytesIO(content))}
            if existing:
                self.ckan.action.resource_patch(id=existing["id"], **fields)
            else:
                self.ckan.action.resource_create(package_id=package["id"], **fields)
            outcome.uploaded.append(name)
        if outcome.created or _differs(package, wanted):
            self.ckan.action.package_patch(id=package["id"], **{k: v for k, v in wanted.items() if k != "name"})
            outcome.metadata_changed = True
        return outcome


def publish_all(ckan_url: str, api_key: str, files: list[DatasetFiles] | None = None,
                progress: bool = True, site_url: str | None = None) -> PublishResult:
    """Validate everything, then publish every dataset; raises PublishError with what to do."""
    from django.conf import settings

    from .service import published_files

    files = files if files is not None else published_files(fresh=True)
    problems = [str(v) for f in files for v in f.violations()]
    if problems:
        raise PublishError("検証で問題が見つかったため、CKAN には何も送っていません。直してからもう一度実行してください。\n"
                           + "\n".join(problems))
    publisher = Publisher(ckan_url, api_key, site_url or settings.HUB_BASE_URL)
    result = PublishResult(publisher.ckan_url)
    current = "（接続の確認）"
    try:
        publisher.check_reachable()
        owner = publisher.ensure_organization()
        for item in _progress(files, progress):
            current = item.dataset.label
            result.datasets.append(publisher.publish(item, owner))
    except ckanapi.NotAuthorized as exc:
        raise PublishError(_left(result, current, (
            f"CKAN（{publisher.ckan_url}）に拒否されました：API キー（CKAN_API_KEY）が正しくないか、"
            f"組織「{ORGANIZATION['name']}」にデータセットを作る権限がありません。（{exc}）"))) from exc
    except ckanapi.ValidationError as exc:
        raise PublishError(_left(result, current, f"CKAN が {current} の内容を受け付けませんでした：{exc.error_dict}")) from exc
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise PublishError(_left(result, current, (
            f"CKAN（{publisher.ckan_url}）に接続できません。CKAN_URL とネットワークを確認してください。（{exc.__class__.__name__}）"))) from exc
    except (ckanapi.CKANAPIError, requests.RequestException) as exc:
        raise PublishError(_left(result, current, f"CKAN がエラーを返しました：{str(exc)[:300]}")) from exc
    return result


def _left(result: PublishResult, current: str, reason: str) -> str:
    done = len(result.datasets)
    if current.startswith("（"):
        return reason + "\nCKAN のデータは何も変更していません。"
    return (f"{reason}\n{current} の途中で止まりました。それより前の {done} 件は公開済みで、"
            "以降は変更していません。もう一度 publish を実行すると、まだ新しくなっていないファイルだけが送られます。")


def _progress(files: list[DatasetFiles], enabled: bool) -> Iterable[DatasetFiles]:
    if not enabled:
        return files
    from tqdm import tqdm

    return tqdm(files, desc="CKAN へ公開", unit="件")
