"""The 掲載区分 (必須 / 推奨 / 任意) in each schema equal the transcription of the 定義書 it names.

The fixtures in fixtures/definition/ are copied from those transcriptions (sources in
fixtures/README.md), so a mark typed into a schema by hand, or dropped, is caught. A dataset for
which no transcription was found carries no marks at all rather than guessed ones: an editor
reading 「必須」 on the site must be able to trust that the national definition says so.
"""

from __future__ import annotations

import csv
from pathlib import Path

from opendata.catalogue import by_slug, datasets

DEFINITION = Path(__file__).parent / "fixtures" / "definition"
# The 定義書 xlsx writes ◎ for 必須, ○ for 推奨 (some rows of sheet 13 use 〇, U+3007) and leaves
# 任意 blank, as the extract keeps them.
SYMBOLS = {"◎": "必須", "○": "推奨", "〇": "推奨", "": "任意"}
# Datasets whose marks are tested against a transcription below.
TRANSCRIBED = {"evacuation_space", "public_toilet"}


def read(name: str) -> list[dict[str, str]]:
    with (DEFINITION / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_public_toilet_marks_equal_the_extract_of_sheet_13():
    sheet = read("13_public_toilet_schema.csv")
    toilet = by_slug("public_toilet")
    assert [row["name"] for row in sheet] == toilet.header
    assert [SYMBOLS[row["classification"]] for row in sheet] == [c.mark for c in toilet.columns]


def test_evacuation_space_marks_equal_the_transcribed_input_definition():
    items = read("03_evacuation_space_marks.csv")
    evacuation = by_slug("evacuation_space")
    # the transcription labels the ID column after what it identifies
    names = ["ID" if row["項目名"] == "緊急避難場所ID" else row["項目名"] for row in items]
    assert names == evacuation.header
    assert [row["掲載区分"] for row in items] == [c.mark for c in evacuation.columns]


def test_no_dataset_claims_marks_that_no_transcription_gives():
    for dataset in datasets():
        marked = [c.name for c in dataset.columns if c.mark]
        if dataset.slug in TRANSCRIBED:
            assert len(marked) == len(dataset.columns), dataset.slug
        else:
            assert marked == [], f"{dataset.slug}: marks without a tested transcription: {marked}"
            assert "未確認" in dataset.definition.get("marks_source", ""), dataset.slug
