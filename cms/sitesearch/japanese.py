"""The hub's Japanese text module lives in packages/chuo_text (shared with the chatbot).

Kept under this name so `cms.sitesearch.japanese` keeps working for its callers.
"""

from chuo_text import (  # noqa: F401
    INFLECTED_POS,
    SKIPPED_POS,
    STOP_WORDS,
    Analysis,
    Synonyms,
    Word,
    analyse,
    fold,
    furigana,
    has_kanji,
    part_terms,
    reading_bigrams,
    reading_terms,
    to_hiragana,
    word_terms,
    words,
)
