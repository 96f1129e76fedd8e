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
