"""chuo_text: Japanese text for search and furigana, shared by the site and the chatbot.

Pure functions over SudachiPy (no Django, Python 3.10+): the chatbot imports it to
read text the same way the site search does.

Why these choices:
- Japanese has no spaces, so words are found with Sudachi. We keep the *surface*
  (what is written), never `normalized_form()`, which turns ごみ into 塵 and so
  loses the word residents type; verbs and adjectives also get their dictionary
  form (捨てたい → 捨てる) so inflections meet.
- Long units (mode C: 粗大ごみ, 住民票) are indexed together with their short
  parts (mode A: 粗大 / ごみ) so a part finds the whole and the whole ranks first.
- Katakana and hiragana are folded (ゴミ = ごみ) and full-width ASCII is folded
  (NFKC). Readings (申込み and 申し込み both read もうしこみ) and reading bigrams
  (じゅうみんひょう, which Sudachi cannot split, shares its bigrams with 住民票)
  catch what the written forms miss.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from sudachipy import Dictionary, SplitMode

# Parts of speech that carry no meaning for search (particles, auxiliaries, symbols).
SKIPPED_POS = {"助詞", "助動詞", "補助記号", "空白", "記号"}
INFLECTED_POS = {"動詞", "形容詞"}
# Words residents put around the thing they look for ("…の取り方を教えてください").
STOP_WORDS = {
    "する", "ある", "いる", "なる", "できる", "れる", "られる", "ない", "です", "ます",
    "こと", "もの", "ため", "よう", "どう", "どこ", "なに", "なん", "いつ", "教える",
    "ほしい", "たい", "しる", "おもう", "いい", "よい", "くださる", "ください", "いう",
    "ん", "って", "これ", "それ", "その", "この", "とき", "ところ", "方法", "やる", "くる",
    "いく", "おしえる", "かた", "ござる", "おる", "みる", "たら", "の",
}
KANJI_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]")
KANA_RUN_RE = re.compile(r"[\u3041-\u3096ー]{4,}")
_KATA_TO_HIRA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


def to_hiragana(text: str) -> str:
    """ゴミ → ごみ; long-vowel marks and other characters are kept as they are."""
    return text.translate(_KATA_TO_HIRA)


def fold(text: str) -> str:
    """The form two spellings must share to count as the same: NFKC, lower case, hiragana."""
    return to_hiragana(unicodedata.normalize("NFKC", text).lower()).strip()


def has_kanji(text: str) -> bool:
    return bool(KANJI_RE.search(text))


_local = threading.local()


def _tokenizer():
    # Sudachi tokenizers are not thread-safe; gunicorn runs threads, so one per thread.
    tok = getattr(_local, "tokenizer", None)
    if tok is None:
        tok = _local.tokenizer = _dictionary().tokenizer(SplitMode.C)
    return tok


_dictionary_lock = threading.Lock()
_loaded: list[Dictionary] = []


def _dictionary() -> Dictionary:
    # One dictionary per process. lru_cache does not hold callers back while the first
    # call runs: four gunicorn threads starting together each loaded a dictionary of
    # their own, and a worker's memory went from 280 MB to 525 MB.
    if not _loaded:
        with _dictionary_lock:
            if not _loaded:
                _loaded.append(Dictionary(dict="core"))
    return _loaded[0]


@dataclass(frozen=True)
class Word:
    surface: str
    reading: str  # hiragana
    base: str  # dictionary form for inflected words, else the surface
    pos: str
    parts: tuple[tuple[str, str], ...]  # mode-A (surface, reading) parts when the word splits

    @property
    def is_content(self) -> bool:
        return self.pos not in SKIPPED_POS


def words(text: str) -> list[Word]:
    """Sudachi's long units of `text`, with their readings and short parts."""
    if len(text) <= 200:  # queries: residents ask the same things again and again
        return list(_short_words(text))
    return _words(text)


@lru_cache(maxsize=4096)
def _short_words(text: str) -> tuple[Word, ...]:
    return tuple(_words(text))


def _words(text: str) -> list[Word]:
    text = unicodedata.normalize("NFKC", text)
    result: list[Word] = []
    for chunk in _chunks(text):
        for m in _tokenizer().tokenize(chunk):
            pos = m.part_of_speech()[0]
            surface = m.surface()
            reading = to_hiragana(m.reading_form())
            base = m.dictionary_form() if pos in INFLECTED_POS else surface
            parts: tuple[tuple[str, str], ...] = ()
            if pos not in SKIPPED_POS:
                split = m.split(SplitMode.A)
                if len(split) > 1:
                    parts = tuple((p.surface(), to_hiragana(p.reading_form())) for p in split)
            result.append(Word(surface, reading, base, pos, parts))
    return result


def _chunks(text: str, size: int = 4000) -> Iterator[str]:
    """Sudachi refuses very long inputs; cut at line ends so words are not split."""
    while len(text.encode("utf-8")) > size * 3:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        yield text[:cut]
        text = text[cut:]
    if text:
        yield text


def _keep(term: str) -> bool:
    return bool(term) and term not in STOP_WORDS and not term.isspace()


def word_terms(text: str, _words: list[Word] | None = None) -> list[str]:
    """Written-form terms of whole words: folded surfaces of long units, verbs' base forms."""
    terms: list[str] = []
    for w in words(text) if _words is None else _words:
        if w.is_content:
            terms.extend(t for t in dict.fromkeys((fold(w.surface), fold(w.base))) if _keep(t))
    return terms


def part_terms(text: str, _words: list[Word] | None = None) -> list[str]:
    """Folded short parts of compound words: 粗大ごみ → 粗大, ごみ."""
    found = words(text) if _words is None else _words
    return [t for w in found if w.is_content for s, _r in w.parts if _keep(t := fold(s))]


def reading_terms(text: str, _words: list[Word] | None = None) -> list[str]:
    """Reading terms (hiragana) of content words: 申込み and 申し込み both give もうしこみ."""
    terms: list[str] = []
    for w in words(text) if _words is None else _words:
        if not w.is_content or not w.reading or w.reading in STOP_WORDS:
            continue
        if fold(w.surface) in STOP_WORDS or fold(w.base) in STOP_WORDS:
            continue
        terms.append(w.reading)
        terms.extend(r for _s, r in w.parts if r and r not in STOP_WORDS)
    return terms


def reading_bigrams(text: str, _words: list[Word] | None = None) -> list[str]:
    """Bigrams of the reading of each run of content words, for kana-only queries.

    A run of kana Sudachi cannot read (じゅうみんひょう) is also cut into bigrams as a
    whole, since its word split is a guess.
    """
    grams: list[str] = []
    run = ""
    for w in (words(text) if _words is None else _words) + [Word("", "", "", "空白", ())]:
        if w.is_content and w.reading:
            run += w.reading
            continue
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
        run = ""
    for chunk in KANA_RUN_RE.findall(fold(text)):
        grams.extend(chunk[i : i + 2] for i in range(len(chunk) - 1))
    return list(dict.fromkeys(grams)) if len(grams) < 64 else grams


@dataclass(frozen=True)
class Analysis:
    """Everything search needs from one text, computed in a single Sudachi pass."""

    words: tuple[str, ...]
    parts: tuple[str, ...]
    readings: tuple[str, ...]
    bigrams: tuple[str, ...]


def analyse(text: str) -> Analysis:
    found = words(text)  # one Sudachi pass for all four kinds of terms
    return Analysis(tuple(word_terms(text, found)), tuple(part_terms(text, found)),
                    tuple(reading_terms(text, found)), tuple(reading_bigrams(text, found)))


# -- synonyms ---------------------------------------------------------------------------
class Synonyms:
    """Groups of words that mean the same to residents (粗大ごみ = 大型ごみ = そだいごみ).

    A group matches a query when one of its phrases occurs in the folded query; the
    other phrases of the group are then searched too.
    """

    def __init__(self, groups: Iterable[Iterable[str]]):
        self.groups: list[tuple[str, ...]] = []
        for group in groups:
            phrases = tuple(dict.fromkeys(fold(p) for p in group if p and fold(p)))
            if len(phrases) > 1:
                self.groups.append(phrases)

    @classmethod
    def from_lines(cls, lines: Iterable[str]) -> Synonyms:
        """One group a line, phrases separated by commas (、 or ,): the editors' format."""
        return cls(re.split(r"[,、，]", line) for line in lines if line.strip()
                   and not line.lstrip().startswith("#"))

    def expansions(self, query: str) -> list[str]:
        folded = fold(query)
        extra: list[str] = []
        for group in self.groups:
            if any(p in folded for p in group):
                extra.extend(p for p in group if p not in folded)
        return list(dict.fromkeys(extra))

    def rewrites(self, query: str) -> list[str]:
        """The query said with each synonym in place of the phrase it matched.

        「でかいごみ 回収」 with the group 粗大ごみ = でかいごみ gives 「粗大ごみ 回収」: the
        other words of the question still have to be on the page.
        """
        folded = fold(query)
        out: list[str] = []
        for group in self.groups:
            for phrase in group:
                if phrase in folded:
                    out.extend(folded.replace(phrase, other) for other in group
                               if other != phrase)
        return list(dict.fromkeys(out))

    def __len__(self) -> int:
        return len(self.groups)


# -- furigana ---------------------------------------------------------------------------
def furigana(text: str) -> list[tuple[str, str | None]]:
    """(text, reading) segments; reading only for segments with kanji, okurigana left out.

    申込み → [("申込", "もうしこ"), ("み", None)] so the ruby sits on the kanji only.
    """
    out: list[tuple[str, str | None]] = []
    for w in words(text):
        if not has_kanji(w.surface) or not w.reading or to_hiragana(w.surface) == w.reading:
            out.append((w.surface, None))
            continue
        out.extend(_split_okurigana(w.surface, w.reading))
    return out


def _split_okurigana(surface: str, reading: str) -> list[tuple[str, str | None]]:
    """Align a reading to the kanji runs of a word: 受け付け/うけつけ → 受(う)け付(つ)け."""
    pieces = re.findall(r"[^\u3041-\u3096\u30a1-\u30f6ー]+|[\u3041-\u3096\u30a1-\u30f6ー]+",
                        surface)
    pattern = "".join("(.+?)" if has_kanji(p) else "(" + re.escape(to_hiragana(p)) + ")"
                      for p in pieces)
    match = re.fullmatch(pattern, reading)
    if not match:
        return [(surface, reading)]
    return [(p, r if has_kanji(p) else None) for p, r in zip(pieces, match.groups(), strict=True)]
