import json

import pytest

from connectors.store import StoreData, load_store
from connectors.store.models import Series
from connectors.store.search import CatalogHit, CatalogSearch, search_catalog_main

# A seven-volume series of the committed data: 黄昏の王都の勇者 by 森 菜々子.
SERIES_ID = "series-009"


@pytest.fixture(scope="module")
def search() -> CatalogSearch:
    return CatalogSearch.bundled()


@pytest.fixture(scope="module")
def store() -> StoreData:
    return load_store()


@pytest.fixture(scope="module")
def series(store: StoreData) -> Series:
    return store.series_by_id[SERIES_ID]


def _first(hits: list[CatalogHit]) -> CatalogHit:
    assert hits, "no hits"
    return hits[0]


def test_the_chosen_series_is_what_the_tests_expect(series: Series) -> None:
    assert series.title_ja == "黄昏の王都の勇者"
    assert series.title_romaji == "Tasogare no Ōto no Yūsha"
    assert series.volume_count >= 3


@pytest.mark.parametrize(
    "query",
    [
        "黄昏の王都の勇者",
        "ｔａｓｏｇａｒｅ　ｎｏ　ōto　ｎｏ　ｙūｓｈａ",
        "Hero of the Twilight Capital",
        "hero of the twilight capital",
        "Tasogare no Ōto no Yūsha",
        "Tasogare no Oto no Yusha",
        "tasogare no outo no yuusha",
        "Tasogare no Ohto no Yusha",
        "tasogarenooto no yusha",
        "Tasogare no Otoo no Yuusya",
        "Tasogre no Oto no Yuusha",
    ],
)
def test_finds_a_series_by_title_in_any_script_and_spelling(
    search: CatalogSearch, query: str
) -> None:
    hit = _first(search.search(query))
    assert hit.series.id == SERIES_ID
    assert hit.item is None
    assert "title" in hit.why


def test_a_typo_scores_below_the_exact_romaji(search: CatalogSearch) -> None:
    exact = _first(search.search("Tasogare no Oto no Yusha"))
    typo = _first(search.search("Tasogre no Oto no Yuusya"))
    assert typo.series.id == exact.series.id == SERIES_ID
    assert typo.score < exact.score == 1.0


@pytest.mark.parametrize("style", ["name_ja", "name_romaji", "reversed", "no_macrons"])
def test_finds_every_series_of_an_author(
    search: CatalogSearch, store: StoreData, series: Series, style: str
) -> None:
    author = store.authors[series.author_id]
    family, given = author.name_romaji.split()
    query = {
        "name_ja": author.name_ja,
        "name_romaji": author.name_romaji,
        "reversed": f"{given} {family}",
        "no_macrons": author.name_romaji.replace("ō", "ou"),
    }[style]
    theirs = {one.id for one in store.series_by_id.values() if one.author_id == author.id}
    assert len(theirs) > 1
    hits = search.search(query, k=len(theirs))
    assert {hit.series.id for hit in hits} == theirs
    assert all(hit.why.startswith("author:") for hit in hits)


@pytest.mark.parametrize(
    ("japanese", "english"), [("ファンタジー", "fantasy"), ("恋愛", "romance")]
)
def test_finds_a_genre_in_either_language(
    search: CatalogSearch, japanese: str, english: str
) -> None:
    by_japanese = search.search(japanese, k=20)
    by_english = search.search(english, k=20)
    assert len(by_japanese) == 20
    assert [hit.series.id for hit in by_japanese] == [hit.series.id for hit in by_english]
    assert all(english in hit.series.genres for hit in by_japanese)
    assert all("genre" in hit.why for hit in by_japanese)


@pytest.mark.parametrize(
    "query",
    [
        "Tasogare no Oto no Yusha vol 3",
        "tasogare no ōto no yūsha Vol. 3",
        "Hero of the Twilight Capital volume 3",
        "黄昏の王都の勇者　3巻",
        "黄昏の王都の勇者 第3巻",
        "黄昏の王都の勇者　３巻",
        "第３巻　黄昏の王都の勇者",
    ],
)
def test_a_volume_in_the_query_puts_that_volume_first(search: CatalogSearch, query: str) -> None:
    hits = search.search(query)
    first = _first(hits)
    assert first.series.id == SERIES_ID
    assert first.item is not None
    assert first.item.volume == 3
    assert first.item.format == "paperback"
    assert "volume 3" in first.why
    assert all(hit.item is not None and hit.item.volume == 3 for hit in hits)


def test_a_format_in_the_query_keeps_only_that_format(
    search: CatalogSearch, store: StoreData
) -> None:
    hits = search.search("黄昏の王都の勇者 Kindle版", k=50)
    kindle = [i for i in store.items_by_series[SERIES_ID] if i.format == "kindle"]
    assert [hit.item for hit in hits if hit.series.id == SERIES_ID] == kindle
    assert all(hit.item is not None and hit.item.format == "kindle" for hit in hits)


def test_a_box_set_query_finds_the_box_set(search: CatalogSearch) -> None:
    hit = _first(search.search("黄昏の王都の勇者 全巻セット"))
    assert hit.item is not None
    assert hit.item.format == "box_set"
    assert hit.series.id == SERIES_ID


@pytest.mark.parametrize("field", ["asin", "isbn13"])
def test_an_asin_or_isbn_finds_exactly_that_item(
    search: CatalogSearch, store: StoreData, field: str
) -> None:
    item = store.items_by_series[SERIES_ID][0]
    identifier = getattr(item, field)
    assert [hit.item for hit in search.search(identifier.lower())] == [item]


@pytest.mark.parametrize("query", ["zzqx vvwk", "", "   "])
def test_nonsense_finds_nothing(search: CatalogSearch, query: str) -> None:
    assert search.search(query) == []


def test_k_bounds_the_hits(search: CatalogSearch) -> None:
    assert len(search.search("fantasy", k=3)) == 3
    assert search.search("fantasy", k=0) == []


def test_search_catalog_main_returns_json_ready_dicts(series: Series) -> None:
    rows = search_catalog_main("Tasogare no Oto no Yusha vol 3", 5)
    assert json.loads(json.dumps(rows, ensure_ascii=False)) == rows
    first = rows[0]
    assert {
        "asin",
        "title_ja",
        "title_en",
        "romaji",
        "author",
        "format",
        "price_jpy",
        "score",
        "why",
    } <= first.keys()
    assert first["title_ja"] == f"{series.title_ja}　3巻"
    assert first["format"] == "paperback"
    assert isinstance(first["price_jpy"], int)
    assert "森 菜々子" in first["author"]


def test_search_catalog_main_series_rows_have_no_asin() -> None:
    rows = search_catalog_main("黄昏の王都の勇者", 1)
    assert rows[0]["kind"] == "series"
    assert rows[0]["asin"] is None
    assert rows[0]["title_ja"] == "黄昏の王都の勇者"
