import pytest

from agents.language import detect_locale
from schemas.events import Locale


@pytest.mark.parametrize(
    "text",
    [
        "こんにちは",
        "カタカナ",
        "漫画",
        "ｶﾀｶﾅ",  # half-width katakana
        "ＡＢＣ",
        "ワンピースの最新刊",
        "I love ワンピース",  # any Japanese wins over English
        "Berserk 3巻",
        "。",
    ],
)
@pytest.mark.parametrize("default", ["ja", "en"])
def test_japanese_script_is_ja(text: str, default: Locale) -> None:
    assert detect_locale(text, default) == "ja"


@pytest.mark.parametrize("text", ["hello", "Berserk vol 3", "café", "  where is my order?  "])
@pytest.mark.parametrize("default", ["ja", "en"])
def test_latin_letters_are_en(text: str, default: Locale) -> None:
    assert detect_locale(text, default) == "en"


@pytest.mark.parametrize("text", ["12345", "👍🙏", "!!!", " ", "250-1234567-7654321", "\u3000"])
@pytest.mark.parametrize("default", ["ja", "en"])
def test_text_without_letters_keeps_the_default(text: str, default: Locale) -> None:
    assert detect_locale(text, default) == default


def test_default_is_japanese() -> None:
    assert detect_locale("🙂") == "ja"


def test_very_long_mixed_text() -> None:
    assert detect_locale("a" * 100_000 + "あ") == "ja"
    assert detect_locale("1" * 100_000 + "z") == "en"
