import pytest

from agents.entities import extract_entities


def pairs(text: str) -> list[tuple[str, str]]:
    return [(entity.kind, entity.value) for entity in extract_entities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is my order 250-1234567-7654321", [("order_id", "250-1234567-7654321")]),
        ("注文番号は250-1234567-7654321です", [("order_id", "250-1234567-7654321")]),
        ("digital order d01-1234567-1234567", [("order_id", "D01-1234567-1234567")]),
        ("B0ABCDEFGHの在庫は?", [("asin", "B0ABCDEFGH")]),
        ("asin b012345678", [("asin", "B012345678")]),
        ("ISBN 978-4-08-872509-3", [("isbn", "9784088725093")]),
        ("isbn 4088725093", [("isbn", "4088725093")]),
        ("409000005x", [("isbn", "409000005X")]),
        ("Berserk vol. 3", [("volume", "3")]),
        ("volume 12 please", [("volume", "12")]),
        ("vol03", [("volume", "3")]),
        ("ワンピース3巻", [("volume", "3")]),
        ("第１０５巻", [("volume", "105")]),
        ("Kindle版はありますか", [("format", "kindle")]),
        ("単行本", [("format", "paperback")]),
        ("電子書籍で読みたい", [("format", "kindle")]),
        ("全巻セット", [("format", "box set")]),
        ("特装版", [("format", "special edition")]),
        ("the paperback box set", [("format", "paperback"), ("format", "box set")]),
        ("Special Edition or ebook", [("format", "special edition"), ("format", "kindle")]),
    ],
)
def test_entities_in_japanese_and_english(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


def test_entities_come_in_order_of_appearance_once_each() -> None:
    text = "Kindle vol 2, order 250-1234567-7654321, kindle again, 2巻"
    assert pairs(text) == [
        ("format", "kindle"),
        ("volume", "2"),
        ("order_id", "250-1234567-7654321"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "978-4-08-872509-4",  # bad ISBN check digit
        "4088725094",
        "evolve 3",  # "vol" inside a word
        "12345巻",  # too many digits for a volume
        "B0ABC",  # too short for an ASIN
        "250-1234567-76543210",  # order id with a digit too many
        "👍",
        " ",
    ],
)
def test_lookalikes_are_not_entities(text: str) -> None:
    assert pairs(text) == []


def test_order_id_digits_are_not_read_as_an_isbn() -> None:
    assert [kind for kind, _ in pairs("123-4567890-1234567")] == ["order_id"]


def test_very_long_text_is_fine() -> None:
    text = "vol 1 " + "漫画とmanga " * 5_000 + "250-1234567-7654321"
    assert pairs(text) == [("volume", "1"), ("order_id", "250-1234567-7654321")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "do you have the clock tower knight vol 3?",
            [("series", "series-002"), ("volume", "3")],
        ),
        ("時計塔の騎士の3巻ありますか", [("series", "series-002"), ("volume", "3")]),
        (
            "tokeitō no kishi vol 2 kindle",
            [("series", "series-002"), ("volume", "2"), ("format", "kindle")],
        ),
        ("romcom under 1000 yen", [("genre", "romance"), ("price_range", "-1000")]),
        (
            "1000円以内で買える恋愛漫画ってありますか？",
            [("price_range", "-1000"), ("genre", "romance")],
        ),
        (
            "shōnen manga about samurai 500円〜1000円",
            [("demographic", "shonen"), ("genre", "historical"), ("price_range", "500-1000")],
        ),
        (
            "I Became a Demon Lord in Another World, paperback",
            [("series", "series-011"), ("genre", "isekai"), ("format", "paperback")],
        ),
    ],
)
def test_series_genres_and_prices_join_the_other_entities(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert pairs(text) == expected


def test_order_of_appearance_survives_folded_long_vowels() -> None:
    # Series are found in folded text, where "koukou" is "koko": five of them put the
    # title ten letters earlier than in the message, before "kindle" unless mapped back.
    text = "koukou " * 5 + "kindle tokeitou no kishi vol 5"
    assert pairs(text) == [("format", "kindle"), ("series", "series-002"), ("volume", "5")]
    text = "kindle of tookyoo wangan no shitsuji, horror, under 900 yen"
    assert pairs(text) == [
        ("format", "kindle"),
        ("series", "series-240"),
        ("genre", "horror"),
        ("price_range", "-900"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "👍🎉🙏",
        "😀" * 2_000,
        "x" * 10_000,
        "\u200b\u3000\t\n",
        "漫画とmanga、ＭＡＮＧＡとまんが",
        "?!.,;:「」『』（）",
    ],
)
def test_bad_input_gives_no_entities(text: str) -> None:
    assert pairs(text) == []


def test_ten_thousand_characters_of_mixed_scripts() -> None:
    text = ("the clock tower knight 時計塔の騎士 romance 1000円以下 vol 3 " * 200)[:10_000]
    assert pairs(text) == [
        ("series", "series-002"),
        ("genre", "romance"),
        ("price_range", "-1000"),
        ("volume", "3"),
    ]
