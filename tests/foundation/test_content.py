"""The seed content: one canonical page per resident question, loaded idempotently."""

from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from wagtail.models import Page

from cms.core.taxonomy import faq_keys
from cms.pages.models import FaqEntry, LifeEventPage, NewsPage, TopicPage
from cms.pages.seed import ContentLoader

REPO = Path(__file__).resolve().parents[2]
SHARED_SPEC = REPO.parent / "shared" / "spec"

pytestmark = pytest.mark.django_db


def test_every_question_has_exactly_one_live_page_at_its_slug():
    keys = faq_keys()
    assert len(keys) == 42
    for key in keys:
        pages = Page.objects.live().filter(slug=key)
        assert pages.count() == 1, f"{key}: {pages.count()} live pages"
        assert isinstance(pages.first().specific, TopicPage)


def test_every_topic_page_has_an_faq_entry_with_paraphrases():
    for page in TopicPage.objects.live():
        entries = list(page.faq_entries.all())
        assert entries, page.slug
        assert entries[0].answer.strip()
        assert len(entries[0].paraphrase_list()) >= 10, page.slug
        assert page.department is not None, page.slug


def test_life_events_list_topic_pages_in_order():
    moving = LifeEventPage.objects.get(slug="hikkoshi")
    steps = [s.topic_page.slug for s in moving.steps.all()]
    assert "tennyu" in steps and "tenshutsu" in steps
    assert LifeEventPage.objects.live().count() == 8


def test_loader_is_idempotent():
    before = (Page.objects.count(), FaqEntry.objects.count(), NewsPage.objects.count())
    report = ContentLoader().load()
    assert not report.created and not report.updated and not report.conflicts
    assert (Page.objects.count(), FaqEntry.objects.count(), NewsPage.objects.count()) == before


def _edit_seed_file(tmp_path, key, new_summary):
    import shutil

    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    path = content / "topics" / f"{key}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "\nsummary: ", f"\nsummary: {new_summary}", 1), encoding="utf-8")
    return content


def test_changed_file_updates_a_page_nobody_edited(tmp_path):
    content = _edit_seed_file(tmp_path, "inkan", "【更新】")
    report = ContentLoader(content).load()
    assert report.updated == ["topic inkan"]
    assert TopicPage.objects.get(slug="inkan").summary.startswith("【更新】")


def test_editor_changes_are_not_overwritten_without_force(tmp_path):
    page = TopicPage.objects.get(slug="tenkyo")
    page.summary = "編集者が書き直した要約"
    page.save_revision().publish()

    content = _edit_seed_file(tmp_path, "tenkyo", "【ファイル側の変更】")
    report = ContentLoader(content).load()
    assert report.conflicts == ["topic tenkyo"]
    assert TopicPage.objects.get(slug="tenkyo").summary == "編集者が書き直した要約"

    report = ContentLoader(content, force=True).load()
    assert report.updated == ["topic tenkyo"]
    page = TopicPage.objects.get(slug="tenkyo")
    assert page.summary.startswith("【ファイル側の変更】")
    # the editor's version stays restorable in the page history
    assert any("編集者が書き直した要約" in str(r.content) for r in page.revisions.all())


def test_load_content_command_reports_counts(capsys):
    call_command("load_content")
    assert "unchanged" in capsys.readouterr().out


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="../shared/spec not beside the checkout")
@pytest.mark.parametrize("name", ["taxonomy.yaml", "faq-topics.yaml"])
def test_vendored_spec_matches_the_shared_contract(name):
    ours = yaml.safe_load((REPO / "content" / "spec" / name).read_text(encoding="utf-8"))
    shared = yaml.safe_load((SHARED_SPEC / name).read_text(encoding="utf-8"))
    assert ours == shared
