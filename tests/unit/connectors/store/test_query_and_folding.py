import pytest

from connectors.store.folding import fold, grams
from connectors.store.query import CatalogQuery, parse_query


@pytest.mark.parametrize(
    "spelling", ["Kōtetsu", "Koutetsu", "Kootetsu", "KOTETSU", "ｋôｔｅｔｓｕ"]
)
def test_long_vowel_spellings_fold_together(spelling: str) -> None:
    assert fold(spelling) == "kotetsu"


def test_fold_keeps_dakuten_and_meets_katakana_with_hiragana() -> None:
    assert fold("ガンダ") == fold("がんだ") == "がんだ"
    assert fold("ｶﾞﾝﾀﾞ") == "がんだ"


def test_grams_ignore_spacing_in_romaji() -> None:
    assert grams("hoshifuru machi").pieces == grams("hoshifurumachi").pieces
    assert "#machi" in grams("hoshifuru machi").words


def test_japanese_grams_are_characters_and_bigrams() -> None:
    assert grams("剣士").pieces == {"剣", "士", "剣士"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kenshi vol 3", CatalogQuery("kenshi", 3, None)),
        ("Kenshi Vol.12", CatalogQuery("kenshi", 12, None)),
        ("kenshi volume 4", CatalogQuery("kenshi", 4, None)),
        ("剣士　３巻", CatalogQuery("剣士", 3, None)),
        ("剣士 第10巻", CatalogQuery("剣士", 10, None)),
        ("kenshi 7", CatalogQuery("kenshi", 7, None)),
        ("剣士 Kindle版 2巻", CatalogQuery("剣士", 2, "kindle")),
        ("剣士 特装版", CatalogQuery("剣士", None, "special_edition")),
        ("kenshi box set", CatalogQuery("kenshi", None, "box_set")),
        ("kenshi", CatalogQuery("kenshi", None, None)),
    ],
)
def test_parse_query_pulls_out_volume_and_format(query: str, expected: CatalogQuery) -> None:
    assert parse_query(query) == expected
