"""A Japanese tokenizer for Rasa built on SudachiPy (split mode A by default).

Why mode A (the shortest units): residents write the same thing as one compound or
as separate words (粗大ごみ処理券 / 処理券 粗大ごみ / 粗大ゴミの券). Mode C keeps
compounds whole, so 粗大ごみ処理券 and 粗大ごみ would share no word feature; mode A
splits both into 粗大 / ごみ / 処理 / 券 so the word features overlap, and the
character n-gram featurizer still sees the whole compound.

Each token's `text` is the written form folded the way the site search folds it
(chuo_text.fold: ゴミ = ごみ, full-width letters half-width). Not Sudachi's
normalized_form(), which turns ごみ into 塵 and so loses the word residents type;
申込/申し込み still meet in the `lemma`, which is the reading in hiragana,
so a featurizer with `use_lemma: true` learns from how words sound: a kana-only
question (そだいごみ, じゅうみんひょう) meets the kanji training examples there.
Whitespace and punctuation are dropped.
"""

from __future__ import annotations

from typing import Any

from chuo_text import fold, to_hiragana
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

SKIPPED_POS = {"空白", "補助記号"}


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class SudachiTokenizer(Tokenizer):
    """Splits Japanese text into SudachiPy morphemes (folded surface + hiragana reading)."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "split_mode": "A",
            "dictionary": "core",
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["sudachipy", "sudachidict_core"]

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["ja"]

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        from sudachipy import Dictionary, SplitMode

        mode = {"A": SplitMode.A, "B": SplitMode.B, "C": SplitMode.C}[
            str(self._config["split_mode"]).upper()
        ]
        self._sudachi = Dictionary(dict=self._config["dictionary"]).tokenizer(mode=mode)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SudachiTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens = []
        for morpheme in self._sudachi.tokenize(text):
            if morpheme.part_of_speech()[0] in SKIPPED_POS:
                continue
            surface = morpheme.surface()
            written = fold(surface)
            reading = morpheme.reading_form()
            # Sudachi reads unknown words and symbols as "キゴウ"; keep the surface then.
            reading = to_hiragana(surface if reading == "キゴウ" else reading).lower()
            tokens.append(
                Token(written or surface, morpheme.begin(), morpheme.end(), lemma=reading)
            )
        return self._apply_token_pattern(tokens)
