import random

import pytest

from agents.chunking import split_chunks
from agents.exceptions import StageError
from mangaassist.errors import MangaAssistError

# Pieces random texts are built from: words in both scripts, every kind of
# sentence end and break, numbers, emails, emoji sequences and combining marks.
PIECES = [
    "manga",
    "Berserk",
    "vol.",
    "1.5",
    "e.g.",
    "漫画",
    "ワンピース",
    "です",
    "。",
    "！",
    "？",
    "!",
    "?",
    ".",
    "、",
    ",",
    " ",
    "  ",
    "\n",
    "\u3000",
    "「はい。」",
    "090-1234-5678",
    "+81 90 1234 5678",
    "taro@example.com",
    "250-1234567-7654321",
    "👍",
    "👨\u200d👩\u200d👧",
    "👋🏽",
    "か\u3099",
    "e\u0301",
    "🇯🇵",
    "x" * 70,
    "長" * 70,
]


def random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(PIECES, k=rng.randint(0, 40))) for _ in range(count)]


@pytest.mark.parametrize("max_chars", [1, 2, 3, 7, 20, 60, 200])
def test_chunks_join_back_exactly(max_chars: int) -> None:
    for text in random_texts(400, seed=max_chars):
        chunks = split_chunks(text, max_chars)
        assert "".join(chunks) == text
        assert all(0 < len(chunk) <= max_chars for chunk in chunks)


def test_random_unicode_joins_back_exactly() -> None:
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(rng.randint(0, 300)))
        for max_chars in (1, 5, 60):
            assert "".join(split_chunks(text, max_chars)) == text


def test_english_sentences() -> None:
    assert split_chunks("Hi there. How are you? Fine!", 14) == [
        "Hi there. ",
        "How are you? ",
        "Fine!",
    ]


def test_short_sentences_are_packed_up_to_the_limit() -> None:
    assert split_chunks("Hi there. How are you? Fine!", 23) == ["Hi there. How are you? ", "Fine!"]
    assert split_chunks("Hi there. How are you? Fine!", 60) == ["Hi there. How are you? Fine!"]


def test_japanese_sentences_end_without_a_space() -> None:
    assert split_chunks("こんにちは。元気ですか？はい！", 6) == [
        "こんにちは。",
        "元気ですか？",
        "はい！",
    ]


def test_closing_quotes_stay_with_their_sentence() -> None:
    assert split_chunks("「はい。」と言った。次", 5) == ["「はい。」", "と言った。", "次"]


def test_dots_inside_words_and_numbers_do_not_end_sentences() -> None:
    assert split_chunks("Version 1.5 is out, e.g.here", 60) == ["Version 1.5 is out, e.g.here"]


def test_long_english_sentence_is_cut_after_spaces() -> None:
    chunks = split_chunks("word " * 30, 22)
    assert all(chunk.endswith(" ") for chunk in chunks)
    assert all(len(chunk) <= 22 for chunk in chunks)


def test_long_japanese_sentence_prefers_a_comma() -> None:
    text = "あ" * 15 + "、" + "い" * 30
    assert split_chunks(text, 20)[0] == "あ" * 15 + "、"


def test_text_without_any_break_is_cut_at_the_limit() -> None:
    assert split_chunks("漫" * 25, 10) == ["漫" * 10, "漫" * 10, "漫" * 5]


@pytest.mark.parametrize("token", ["+81 90 1234 5678", "taro@example.com", "4111 1111 1111 1111"])
def test_numbers_and_emails_stay_whole(token: str) -> None:
    text = f"Please write to or call {token} today and we will answer soon"
    start = text.index(token)
    for max_chars in range(len(token), 70):
        edges = set()
        position = 0
        for chunk in split_chunks(text, max_chars):
            position += len(chunk)
            edges.add(position)
        assert not any(start < edge < start + len(token) for edge in edges), max_chars


def test_emoji_sequences_are_not_split_when_avoidable() -> None:
    family = "👨\u200d👩\u200d👧"
    chunks = split_chunks(family * 10, 7)
    assert all(chunk == family * 1 or chunk == family * 2 for chunk in chunks)


def test_combining_marks_stay_with_their_letter() -> None:
    chunks = split_chunks("か\u3099" * 10, 3)
    assert all(not chunk.startswith("\u3099") for chunk in chunks)


def test_empty_text_has_no_chunks() -> None:
    assert split_chunks("", 60) == []


@pytest.mark.parametrize("max_chars", [0, -1])
def test_a_limit_below_one_is_a_stage_error(max_chars: int) -> None:
    with pytest.raises(StageError):
        split_chunks("text", max_chars)
    assert issubclass(StageError, MangaAssistError)
