"""Loads content/ into the site, idempotently, without clobbering editors' work.

The rule (also in content/README.md): each page remembers the hash of the file it
was loaded from and the revision that load published. A changed file updates the
page only if nobody published another revision since; otherwise the page is left
alone and reported as a conflict, unless `force` is given.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import yaml
from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from cms.core.models import Area, Department, LifeEvent, Topic
from cms.core.taxonomy import faq_keys, taxonomy

from .models import (
    CategoryPage,
    EnglishHomePage,
    EnglishTopicPage,
    FaqEntry,
    HomePage,
    LifeEventIndexPage,
    LifeEventPage,
    LifeEventStep,
    NewsIndexPage,
    NewsPage,
    TopicPage,
)


class ContentError(Exception):
    """A seed file is wrong; the message names the file and the field."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"created {len(self.created)}, updated {len(self.updated)}, "
            f"unchanged {len(self.unchanged)}, conflicts {len(self.conflicts)}"
        )


def md(text: str | None) -> str:
    return markdown.markdown(text or "", output_format="html") if text else ""


def read_front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        raise ContentError(f"{path}: missing YAML front matter (--- at the top)")
    try:
        _, head, body = text.split("---", 2)
        data = yaml.safe_load(head) or {}
    except (ValueError, yaml.YAMLError) as exc:
        raise ContentError(f"{path}: front matter is not valid YAML: {exc}") from exc
    return data, body.strip()


def fingerprint(*parts: object) -> str:
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ContentLoader:
    def __init__(self, content_dir: Path | None = None, force: bool = False,
                 log: Callable[[str], None] = lambda _msg: None):
        self.dir = Path(content_dir or settings.CONTENT_DIR)
        self.force = force
        self.log = log
        self.report = LoadReport()

    # -- entry point -----------------------------------------------------------
    @transaction.atomic
    def load(self) -> LoadReport:
        self.sync_vocabulary()
        self.sync_departments()
        home = self.ensure_home()
        categories = {t.key: self.ensure_category(home, t) for t in Topic.objects.all()}
        self.load_topics(categories)
        self.load_life_events(home)
        self.load_news(home)
        self.load_english(home)
        self.load_synonyms()
        return self.report

    # -- vocabulary and snippets ----------------------------------------------
    def sync_vocabulary(self) -> None:
        tax = taxonomy()
        for order, row in enumerate(tax["topics"]):
            Topic.objects.update_or_create(
                key=row["key"], defaults={"sort_order": order},
                create_defaults={"name_ja": row["ja"], "name_en": row["en"], "sort_order": order},
            )
        for order, row in enumerate(tax["areas"]):
            Area.objects.update_or_create(
                key=row["key"], defaults={"towns": row["towns"], "sort_order": order},
                create_defaults={"name_ja": row["ja"], "name_en": row["en"],
                                 "towns": row["towns"], "sort_order": order},
            )
        for order, row in enumerate(tax["life_events"]):
            LifeEvent.objects.update_or_create(
                key=row["key"], defaults={"sort_order": order},
                create_defaults={"name_ja": row["ja"], "name_en": row["en"], "sort_order": order},
            )

    def sync_departments(self) -> None:
        """Departments missing from the site are created; editors own existing ones."""
        data = yaml.safe_load((self.dir / "departments.yaml").read_text(encoding="utf-8"))
        for row in data["departments"]:
            fields = {k: row.get(k, "") for k in
                      ("name", "phone", "phone_note", "email", "hours", "location")}
            if self.force:
                Department.objects.update_or_create(key=row["key"], defaults=fields)
            else:
                Department.objects.get_or_create(key=row["key"], defaults=fields)

    # -- the page tree ------------------------------------------------------------
    def ensure_home(self) -> HomePage:
        home = HomePage.objects.filter(depth=2).first()
        if home:
            return home
        root = Page.get_first_root_node()
        # Wagtail's initial migration leaves a placeholder "Welcome" page at /.
        for placeholder in Page.objects.filter(depth=2, content_type__model="page"):
            placeholder.delete()
        home = root.add_child(instance=HomePage(
            title="中央区ホームページ", slug="home", draft_title="中央区ホームページ",
            lead="手続き、子育て、ごみ、防災など、中央区のくらしの情報をお届けします。",
        ))
        home.save_revision().publish()
        site = Site.objects.filter(is_default_site=True).first()
        if site:
            site.root_page = home
            site.site_name = "中央区"
            site.save()
        else:
            from cms.core.sites import hub_host_and_port

            hostname, port = hub_host_and_port()
            Site.objects.create(hostname=hostname, port=port, root_page=home,
                                is_default_site=True, site_name="中央区")
        self.report.created.append("/")
        return home

    def ensure_category(self, home: HomePage, topic: Topic) -> CategoryPage:
        page = CategoryPage.objects.filter(topic=topic).first()
        if page:
            return page
        page = home.add_child(instance=CategoryPage(title=topic.name_ja, slug=topic.key,
                                                    topic=topic))
        page.save_revision().publish()
        self.report.created.append(page.url_path)
        return page

    def ensure_index(self, home: HomePage, model: type[Page], slug: str, title: str,
                     intro: str) -> Page:
        page = model.objects.child_of(home).filter(slug=slug).first()
        if page:
            return page
        page = home.add_child(instance=model(title=title, slug=slug, intro=intro))
        page.save_revision().publish()
        self.report.created.append(page.url_path)
        return page

    # -- generic seeded-page update ------------------------------------------------
    def decide(self, page: Page | None, new_hash: str, label: str) -> str:
        """create / update / unchanged / conflict, by the rule in the module docstring."""
        if page is None:
            return "create"
        if page.seed_hash == new_hash:
            return "unchanged"
        edited_by_editor = page.latest_revision_id != page.seed_revision_id
        if edited_by_editor and not self.force:
            self.log(f"conflict: {label} was edited in the admin; not overwritten (use --force)")
            return "conflict"
        return "update"

    def publish_seeded(self, page: Page, new_hash: str, action: str, label: str) -> None:
        page.seed_hash = new_hash
        revision = page.save_revision(log_action=True)
        revision.publish()
        type(page).objects.filter(pk=page.pk).update(seed_revision_id=revision.pk,
                                                      seed_hash=new_hash)
        (self.report.created if action == "create" else self.report.updated).append(label)

    def record(self, action: str, label: str) -> None:
        if action == "unchanged":
            self.report.unchanged.append(label)
        elif action == "conflict":
            self.report.conflicts.append(label)

    # -- topic pages ------------------------------------------------------------------
    def read_topics(self) -> dict[str, tuple[dict, str, str]]:
        required = {"key", "title", "topic", "summary", "department", "faq"}
        known = set(faq_keys())
        topics: dict[str, tuple[dict, str, str]] = {}
        for path in sorted((self.dir / "topics").glob("*.md")):
            data, body = read_front_matter(path)
            missing = required - data.keys()
            if missing:
                raise ContentError(f"{path}: missing field(s) {', '.join(sorted(missing))}")
            if data["key"] != path.stem:
                raise ContentError(f"{path}: key {data['key']!r} differs from the file name")
            faq = data["faq"]
            if not faq.get("question") or not faq.get("answer"):
                raise ContentError(f"{path}: faq needs a question and an answer")
            topics[data["key"]] = (data, body, fingerprint(data, body))
        missing_pages = known - topics.keys()
        if missing_pages:
            self.log(f"warning: no content file for {', '.join(sorted(missing_pages))}")
        return topics

    def load_topics(self, categories: dict[str, CategoryPage]) -> None:
        topics = self.read_topics()
        existing = {p.slug: p for p in TopicPage.objects.filter(slug__in=topics.keys())}
        departments = {d.key: d for d in Department.objects.all()}
        life_events = {e.key: e for e in LifeEvent.objects.all()}
        topic_objs = {t.key: t for t in Topic.objects.all()}
        plans: list[tuple[str, dict, str, str]] = []
        for key, (data, body, digest) in topics.items():
            action = self.decide(existing.get(key), digest, f"topic {key}")
            self.record(action, f"topic {key}")
            if action in {"create", "update"}:
                plans.append((action, data, body, digest))
        # First make every new page exist, so related links can point at any of them.
        for action, data, _body, _digest in plans:
            if action == "create":
                if data["topic"] not in categories:
                    raise ContentError(f"topics/{data['key']}.md: unknown topic {data['topic']!r}")
                parent = categories[data["topic"]]
                existing[data["key"]] = parent.add_child(instance=TopicPage(
                    title=data["title"], slug=data["key"], summary=data["summary"],
                    topic=topic_objs[data["topic"]], live=False,
                ))
        for action, data, body, digest in plans:
            page = existing[data["key"]]
            label = f"topic {data['key']}"
            if data["department"] not in departments:
                raise ContentError(f"topics/{data['key']}.md: unknown department {data['department']!r}")
            page.title = data["title"]
            page.draft_title = data["title"]
            page.seo_title = ""
            page.search_description = data["summary"][:255]
            page.summary = data["summary"]
            page.audience = data.get("audience") or ""
            page.bring = md(data.get("bring"))
            page.fees = data.get("fees") or ""
            page.where_when = md(data.get("where_when"))
            page.online = bool(data.get("online"))
            page.online_url = data.get("online_url") or ""
            page.body = md(body)
            page.department = departments[data["department"]]
            page.topic = topic_objs[data["topic"]]
            page.last_reviewed = data.get("last_reviewed") or page.last_reviewed
            page.life_events.set([life_events[k] for k in data.get("life_events") or []
                                  if k in life_events])
            page.related_pages.set([existing[k] for k in data.get("related") or []
                                    if k in existing and k != data["key"]])
            faq = data["faq"]
            page.faq_entries = [FaqEntry(
                question=faq["question"], answer=faq["answer"],
                paraphrases="\n".join(str(p) for p in faq.get("paraphrases") or []),
            )]
            self.publish_seeded(page, digest, action, label)

    # -- life events -------------------------------------------------------------------
    def load_life_events(self, home: HomePage) -> None:
        path = self.dir / "life_events.yaml"
        if not path.exists():
            return
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))["life_events"]
        index = self.ensure_index(home, LifeEventIndexPage, "life", "くらしの出来事から探す",
                                  "引越し、出産、入学など、くらしの出来事ごとに必要な手続きをまとめています。")
        pages = {p.slug: p for p in TopicPage.objects.all()}
        reserved = set(faq_keys())
        for row in rows:
            slug = row.get("slug") or row["key"]
            if slug in reserved:
                raise ContentError(f"life_events.yaml: slug {slug!r} is a topic page's slug")
            digest = fingerprint(row)
            page = LifeEventPage.objects.child_of(index).filter(slug=slug).first()
            action = self.decide(page, digest, f"life event {slug}")
            self.record(action, f"life event {slug}")
            if action not in {"create", "update"}:
                continue
            if page is None:
                page = index.add_child(instance=LifeEventPage(
                    title=row["title"], slug=slug, live=False,
                    life_event=LifeEvent.objects.get(key=row["key"])))
            page.title = page.draft_title = row["title"]
            page.intro = row.get("intro", "")
            page.steps = [LifeEventStep(topic_page=pages[k]) for k in row.get("topics", [])
                          if k in pages]
            self.publish_seeded(page, digest, action, f"life event {slug}")

    # -- English pages (/en/) ------------------------------------------------------------
    def load_english(self, home: HomePage) -> None:
        en_dir = self.dir / "en"
        if not (en_dir / "home.md").exists():
            return
        data, body = read_front_matter(en_dir / "home.md")
        digest = fingerprint(data, body)
        en_home = EnglishHomePage.objects.child_of(home).filter(slug="en").first()
        action = self.decide(en_home, digest, "en home")
        self.record(action, "en home")
        if action in {"create", "update"}:
            if en_home is None:
                en_home = home.add_child(instance=EnglishHomePage(
                    title=data["title"], slug="en", live=False))
            en_home.title = en_home.draft_title = data["title"]
            en_home.lead = data.get("lead", "")
            en_home.body = md(body)
            self.publish_seeded(en_home, digest, action, "en home")
        if en_home is None:
            return
        reserved = set(faq_keys())
        topic_pages = {p.slug: p for p in TopicPage.objects.all()}
        for path in sorted((en_dir / "topics").glob("*.md")):
            data, body = read_front_matter(path)
            slug = path.stem
            if slug in reserved:
                raise ContentError(f"{path}: slug {slug!r} is a Japanese topic page's slug")
            if data.get("japanese") not in topic_pages:
                raise ContentError(f"{path}: japanese: {data.get('japanese')!r} is not a topic key")
            digest = fingerprint(data, body)
            page = EnglishTopicPage.objects.child_of(en_home).filter(slug=slug).first()
            label = f"en {slug}"
            action = self.decide(page, digest, label)
            self.record(action, label)
            if action not in {"create", "update"}:
                continue
            if page is None:
                page = en_home.add_child(instance=EnglishTopicPage(
                    title=data["title"], slug=slug, summary=data["summary"], live=False))
            page.title = page.draft_title = data["title"]
            page.summary = data["summary"]
            page.search_description = data["summary"][:255]
            page.body = md(body)
            page.japanese_page = topic_pages[data["japanese"]]
            self.publish_seeded(page, digest, action, label)

    # -- search synonyms ------------------------------------------------------------
    def load_synonyms(self) -> None:
        """Groups missing from the admin are created; editors own the ones that exist.

        A group is matched by its first phrase (seed_key), so an editor's wording stays.
        """
        from cms.sitesearch.models import SearchSynonym

        path = self.dir / "synonyms.yaml"
        if not path.exists():
            return
        rows = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("synonyms") or []
        existing = set(SearchSynonym.objects.values_list("seed_key", flat=True))
        for row in rows:
            if not isinstance(row, list) or len(row) < 2:
                raise ContentError(f"synonyms.yaml: {row!r} needs two or more phrases")
            phrases = [str(p).strip() for p in row if str(p).strip()]
            key = phrases[0][:100]
            if key in existing and not self.force:
                continue
            SearchSynonym.objects.update_or_create(seed_key=key,
                                                   defaults={"phrases": "、".join(phrases)})
            existing.add(key)

    # -- news -------------------------------------------------------------------------
    def load_news(self, home: HomePage) -> None:
        index = self.ensure_index(home, NewsIndexPage, "news", "お知らせ", "中央区からのお知らせです。")
        topic_objs = {t.key: t for t in Topic.objects.all()}
        area_objs = {a.key: a for a in Area.objects.all()}
        for path in sorted((self.dir / "news").glob("*.md")):
            data, body = read_front_matter(path)
            slug = data.get("slug") or path.stem
            digest = fingerprint(data, body)
            page = NewsPage.objects.child_of(index).filter(slug=slug).first()
            action = self.decide(page, digest, f"news {slug}")
            self.record(action, f"news {slug}")
            if action not in {"create", "update"}:
                continue
            if page is None:
                page = index.add_child(instance=NewsPage(title=data["title"], slug=slug,
                                                         live=False))
            page.title = page.draft_title = data["title"]
            page.date = data.get("date") or page.date
            page.summary = data.get("summary", "")
            page.body = md(body)
            page.urgent = bool(data.get("urgent"))
            # Seed news never notifies anyone: only an editor's explicit choice does.
            page.notify_subscribers = False
            page.topics.set([topic_objs[k] for k in data.get("topics") or [] if k in topic_objs])
            page.areas.set([area_objs[k] for k in data.get("areas") or [] if k in area_objs])
            self.publish_seeded(page, digest, action, f"news {slug}")
