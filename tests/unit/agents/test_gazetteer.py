import pytest

from agents.entities import extract_entities
from agents.gazetteer import MAX_SERIES, LabelFinder, SeriesGazetteer
from agents.text import normalize
from connectors.store.folding import fold
from connectors.store.loader import load_store
from connectors.store.models import Label, Series


def series_ids(text: str) -> list[str]:
    return [entity.value for entity in extract_entities(text) if entity.kind == "series"]


def labels(text: str) -> list[tuple[str, str]]:
    return [
        (entity.kind, entity.value)
        for entity in extract_entities(text)
        if entity.kind in {"genre", "demographic"}
    ]


# 時計塔の騎士 / The Clock Tower Knight / Tokeitō no Kishi is series-002.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Japanese: exact, inside sentences, kana and width variants, small slips.
        ("時計塔の騎士", ["series-002"]),
        ("時計塔の騎士の3巻ありますか", ["series-002"]),
        ("「時計塔の騎士」を探しています。", ["series-002"]),
        ("時計塔騎士の新刊", ["series-002"]),  # の left out
        ("天空島の吸血鬼って完結してる？", ["series-021"]),
        ("鋼鉄の城の黒猫はありますか", ["series-206"]),
        ("東京湾岸の執事の特装版", ["series-240"]),
        ("魔法使いと銀の鍵", ["series-265"]),
        ("異世界で歌姫ニナリマシタ", ["series-181"]),  # katakana for hiragana
        ("異世界で歌姫ﾆﾅﾘﾏｼﾀ", ["series-181"]),  # half-width katakana
        ("白イ竜の錬金術師", ["series-004"]),
        ("白い竜の錬金術士", ["series-004"]),  # 士 for 師
        ("泣虫勇者", ["series-039"]),  # 泣き虫 without き
        ("秘密の　勇者", ["series-001"]),  # full-width space
        ("風見ケ丘の勇者", ["series-301"]),  # ケ for ヶ
        ("元画家って漫画", ["series-250"]),  # a three-kanji title, verbatim
        ("北の大地の姫の2巻", ["series-236"]),
        ("秘密の勇者を頼んだのに、届いたのは秘密の歌姫でした", ["series-001", "series-022"]),
        ("「黒猫の忍者」と「忍者と黒猫」、両方とも見たいです", ["series-017", "series-097"]),
        ("約束の竜使いと白い竜の錬金術師、どっちがおすすめ？", ["series-003", "series-004"]),
        # English and romaji: exact, in sentences, long vowels, typos, width.
        ("do you have the clock tower knight vol 3?", ["series-002"]),
        ("tokeitou no kishi", ["series-002"]),
        ("Tokeito no Kishi", ["series-002"]),
        ("tokeitō no kishi", ["series-002"]),
        ("Tokeitoo no Kishi arimasu ka", ["series-002"]),
        ("TOKEITO NO KISHI", ["series-002"]),
        ("tokeito-no-kishi", ["series-002"]),
        ("tokeitonokishi", ["series-002"]),
        ("the clock towr knight", ["series-002"]),
        ("ＴＨＥ　ＣＬＯＣＫ　ＴＯＷＥＲ　ＫＮＩＧＨＴ", ["series-002"]),
        ("hoshifurumachi no utahime", ["series-269"]),
        ("Koutetsu no Shiro no Yuusha", ["series-307"]),
        ("Mahou Gakuen no Madousho vol 2", ["series-254"]),
        ("is the sleeping alchemst finished?", ["series-005"]),
        ("the lying knigth box set", ["series-030"]),
        ("Blacksmith of the Galxy", ["series-040"]),
        ("whats the latest volume of secret hero", ["series-001"]),
        ("ｔｈｅ ｆｏｘ ｓａｉｎｔ", ["series-016"]),
        ("tea of edo", ["series-197"]),
        ("something like 約束の竜使い?", ["series-003"]),
    ],
)
def test_series_are_found_fuzzily_in_both_languages(text: str, expected: list[str]) -> None:
    assert series_ids(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "the",
        "knight",
        "manga",
        "dragon",
        "the knight",
        "dragon manga",
        "I like dark fantasy with a knight and a dragon",
        "the clock tower",  # five series share it: none is named
        "secret",
        "magic academy",
        "the last",
        "the sleeping wizard",  # words of titles, no title
        "the sea of edo",  # "tea of edo" is one letter off, but "tea" is no typo of "sea"
        "Koshotengai no Hime",  # 古書店街の姫 is not 商店街の姫
        "Gin no Kagi no Miko",  # "kagi" is a catalog word, not a typo of "kagami"
        "where is my order 250-1234567-7654321",
        "漫画",
        "騎士",
        "騎士の漫画ありますか",
        "時計塔の",
        "魔法学園の本",  # 魔法学園の鏡 is one kanji off
        "歌姫と狐",  # holds 姫と狐, but 歌姫 is its own word
        "北の大地の歌姫",
        "画家が主人公の漫画を探しています",  # 元画家 is one kanji off
        "海辺の町の画家",
        "青い鳥",
        "こんにちは",
    ],
)
def test_generic_words_are_no_series(text: str) -> None:
    assert series_ids(text) == []


def test_at_most_two_series_the_first_named_on_a_tie() -> None:
    text = "knight of the sky island and the secret knight and the lying knight"
    assert series_ids(text) == ["series-174", "series-294"]
    assert len(series_ids("時計塔の騎士、時計塔の執事、時計塔の狩人")) == MAX_SERIES


def test_the_better_covered_title_wins_an_overlap() -> None:
    found = SeriesGazetteer.bundled().find(fold("the clock tower butler"))
    assert [mention.series_id for mention in found] == ["series-248"]
    assert found[0].score == 100


def test_every_title_is_found_in_each_of_its_spellings() -> None:
    gazetteer = SeriesGazetteer.bundled()
    for series in load_store().series_by_id.values():
        for title in (series.title_ja, series.title_en, series.title_romaji):
            found = gazetteer.find(fold(f"do you have {title} vol 2?"))
            assert [mention.series_id for mention in found] == [series.id], title


def test_a_gazetteer_of_a_small_catalog() -> None:
    def series(number: int, ja: str, en: str, romaji: str) -> Series:
        return Series(
            id=f"S{number:04d}",
            title_ja=ja,
            title_en=en,
            title_romaji=romaji,
            author_id="a",
            publisher_id="p",
            genres=("fantasy",),
            demographic="shonen",
            completed=False,
            volume_count=1,
        )

    gazetteer = SeriesGazetteer(
        [
            series(1, "時計塔の騎士", "The Clock Tower Knight", "Tokeitō no Kishi"),
            series(2, "時計塔の執事", "The Clock Tower Butler", "Tokeitō no Shitsuji"),
        ]
    )
    assert [m.series_id for m in gazetteer.find(fold("tokeitou no shitsuji"))] == ["S0002"]
    assert gazetteer.find(fold("時計塔")) == []


# The genres' catalog names in both languages, their synonyms, and words they hide in.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("romance manga under 1000 yen", [("genre", "romance")]),
        ("any romcom?", [("genre", "romance")]),
        ("a love story please", [("genre", "romance")]),
        ("ラブコメが読みたい", [("genre", "romance")]),
        ("ラブストーリー", [("genre", "romance")]),
        ("恋愛漫画", [("genre", "romance")]),
        ("something scary", [("genre", "horror")]),
        ("怖い話", [("genre", "horror")]),
        ("ホラー", [("genre", "horror")]),
        ("SF or science fiction", [("genre", "sci_fi")]),
        ("ＳＦ作品", [("genre", "sci_fi")]),
        ("sci-fi", [("genre", "sci_fi")]),
        ("a funny one", [("genre", "comedy")]),
        ("ギャグ漫画", [("genre", "comedy")]),
        ("グルメ漫画", [("genre", "cooking")]),
        ("料理もの", [("genre", "cooking")]),
        ("スポ根", [("genre", "sports")]),
        ("推理もの", [("genre", "mystery")]),
        ("a detective story", [("genre", "mystery")]),
        ("reborn in another world", [("genre", "isekai")]),
        ("転生もの", [("genre", "isekai")]),
        ("samurai stories", [("genre", "historical")]),
        ("時代劇", [("genre", "historical")]),
        ("slice-of-life", [("genre", "slice_of_life")]),
        ("日常系", [("genre", "slice_of_life")]),
        ("a musical", [("genre", "music")]),
        ("人間ドラマ", [("genre", "drama")]),
        ("action manga", [("genre", "action")]),
        ("romantic comedy", [("genre", "romance"), ("genre", "comedy")]),
        ("shōnen or shoujo", [("demographic", "shonen"), ("demographic", "shojo")]),
        ("少年漫画", [("demographic", "shonen")]),
        ("少女マンガ", [("demographic", "shojo")]),
        ("青年誌のアクション", [("demographic", "seinen"), ("genre", "action")]),
        ("女性向け", [("demographic", "josei")]),
        ("児童書", [("demographic", "kodomo")]),
        ("something for kids", [("demographic", "kodomo")]),
        ("seinen horror", [("demographic", "seinen"), ("genre", "horror")]),
    ],
)
def test_genres_and_demographics_in_both_languages(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert labels(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a dramatic ending",  # an adjective, not the genre
        "an action figure",
        "my order history",
        "musicality",
        "a scar",
        "sfx",
        "hello",
        "日常的に読んでいます",  # "routinely"
        "ドラマ化されますか",  # a TV adaptation
        "青少年向け",  # "young people"
        "美少女もの",  # "pretty girls", no readership
        "女性の主人公",  # a heroine, not a readership
        "漫画",
    ],
)
def test_words_that_only_hold_a_genre_name_are_no_genre(text: str) -> None:
    assert labels(text) == []


def test_every_catalog_genre_and_demographic_is_found_by_its_names() -> None:
    store = load_store()
    finder = LabelFinder.bundled()
    for kind, names in (("genre", store.genres), ("demographic", store.demographics)):
        for label in names.values():
            for name in (label.name_en, *label.name_ja.split("・")):
                found = [(m.kind, m.value) for m in finder.find(normalize(f"{name} manga"))]
                assert found == [(kind, label.id)], name


def test_a_label_finder_of_other_labels() -> None:
    finder = LabelFinder([Label(id="horror", name_ja="ホラー", name_en="horror")], [])
    assert [(m.value, m.start) for m in finder.find("怖い horror")] == [
        ("horror", 0),
        ("horror", 3),
    ]
