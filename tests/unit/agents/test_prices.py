import pytest

from agents.entities import extract_entities
from agents.prices import find_price_ranges, parse_amount
from agents.text import normalize


def price_ranges(text: str) -> list[str]:
    return [entity.value for entity in extract_entities(text) if entity.kind == "price_range"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # At most.
        ("under 1000 yen", ["-1000"]),
        ("less than ¥1,000", ["-1000"]),
        ("below 1000円", ["-1000"]),
        ("romance manga under 1000 yen", ["-1000"]),
        ("up to ￥２０００ please", ["-2000"]),
        ("¥1,500 or less", ["-1500"]),
        ("1.5k yen max", ["-1500"]),
        ("1000円以下", ["-1000"]),
        ("千円以下の漫画", ["-1000"]),
        ("1000円未満", ["-1000"]),
        ("1000円まで", ["-1000"]),
        ("１０００円以内で買える恋愛漫画", ["-1000"]),
        ("予算は3千円です", ["-3000"]),
        ("1万5千円以内", ["-15000"]),
        # At least.
        ("over 500 yen", ["500-"]),
        ("at least ¥800", ["800-"]),
        ("1000 yen or more", ["1000-"]),
        ("500円以上", ["500-"]),
        ("五百円以上", ["500-"]),
        ("5000円超え", ["5000-"]),
        # Between.
        ("between 500 and 1000 yen", ["500-1000"]),
        ("between ¥500 and ¥1,000", ["500-1000"]),
        ("from 500 to 1000 yen", ["500-1000"]),
        ("500-1000円", ["500-1000"]),
        ("500円から1000円", ["500-1000"]),
        ("500円から1000円まで", ["500-1000"]),
        ("500〜1000円", ["500-1000"]),
        ("500～1000円", ["500-1000"]),
        ("1000-500円", ["500-1000"]),  # backwards, put right
        # Around: give or take 20%.
        ("around 800 yen", ["640-960"]),
        ("about ¥1,000", ["800-1200"]),
        ("~800 yen", ["640-960"]),
        ("800円くらい", ["640-960"]),
        ("千五百円ぐらい", ["1200-1800"]),
        ("約800円", ["640-960"]),
        ("2,000円前後", ["1600-2400"]),
        # Two in one message.
        ("under 500 yen or 1000円以上", ["-500", "1000-"]),
    ],
)
def test_price_ranges_in_both_languages(text: str, expected: list[str]) -> None:
    assert price_ranges(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "it's 800 yen?",  # a price, not a range
        "800円の本",
        "¥1,500",
        "under 1000",  # no yen: a thousand what?
        "3巻まで",
        "vol 3 or more",
        "about 3 volumes",
        "order 250-1234567-7654321",
        "ISBN 978-4-08-872509-3",
        "1-3巻",
        "1000000000000円以下",  # no price has thirteen digits
        "¥",
        "円以下",
        "under yen",
    ],
)
def test_no_range_without_a_range_word_and_a_yen_mark(text: str) -> None:
    assert price_ranges(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("vol 3 under 1000 yen", [("volume", "3"), ("price_range", "-1000")]),
        ("3巻 1000円以下", [("volume", "3"), ("price_range", "-1000")]),
        (
            "order 250-1234567-7654321 was under ¥2,000",
            [("order_id", "250-1234567-7654321"), ("price_range", "-2000")],
        ),
        ("isbn 4088725093 under 900円", [("isbn", "4088725093"), ("price_range", "-900")]),
    ],
)
def test_ranges_next_to_ids_and_volumes(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(entity.kind, entity.value) for entity in extract_entities(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000", 1000),
        ("1,500", 1500),
        ("1.5k", 1500),
        ("千", 1000),
        ("千五百", 1500),
        ("二千", 2000),
        ("五百五十", 550),
        ("二〇〇〇", 2000),
        ("1万", 10000),
        ("1.5万", 15000),
        ("1万5千", 15000),
        ("万", 10000),
        ("", None),
        ("k", None),
    ],
)
def test_amounts(text: str, expected: int | None) -> None:
    assert parse_amount(text) == expected


def test_positions_index_the_message() -> None:
    text = normalize("vol 2, 1000円以下")
    assert [(found.start, found.value) for found in find_price_ranges(text)] == [(7, "-1000")]


def test_many_ranges_in_a_long_text() -> None:
    assert len(find_price_ranges("under 1000 yen, " * 1_000)) == 1_000
