import pytest

from agents.text import clip, normalize, tokenize


def test_normalize_folds_full_width_and_case() -> None:
    assert normalize("ＡＮＹ ＣＯＵＰＯＮＳ ３巻") == "any coupons 3巻"
    assert normalize("ｶﾀｶﾅ") == "カタカナ"


def test_english_tokens_drop_stopwords_numbers_and_plural_s() -> None:
    assert tokenize("How much is the shipping for 3 books?") == {"shipping", "book"}


def test_hyphenated_words_stay_whole() -> None:
    assert tokenize("Can I pre-order it?") == {"pre-order"}


def test_letterless_tokens_are_dropped() -> None:
    assert tokenize("250-1234567-7654321 2,000") == frozenset()


def test_japanese_bigrams_skip_all_hiragana_pairs() -> None:
    # 送料 and 料は are kept; はい, いく, くら are particles and verb endings.
    assert tokenize("送料はいくら") == {"送料", "料は"}


def test_punctuation_is_no_part_of_a_bigram() -> None:
    assert tokenize("沖縄・離島。次") == {"沖縄", "離島"}
    assert tokenize("時々") == {"時々"}


def test_mixed_script_gives_both_kinds() -> None:
    tokens = tokenize("Kindleで読む")
    assert {"kindle", "で読", "読む"} <= tokens


@pytest.mark.parametrize("text", ["", " ", "👍🙏", "!!!", "あ", "a"])
def test_text_with_nothing_to_match_has_no_tokens(text: str) -> None:
    assert tokenize(text) == frozenset()


def test_clip_keeps_short_text_and_marks_a_cut() -> None:
    assert clip("short", 10) == "short"
    assert clip("exactly10!", 10) == "exactly10!"
    clipped = clip("x" * 50, 10)
    assert clipped == "x" * 9 + "…"
    assert len(clipped) == 10
