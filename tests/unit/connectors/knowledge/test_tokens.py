from connectors.knowledge.tokens import stem, tokenize


def test_japanese_without_spaces_is_cut_into_bigrams() -> None:
    assert tokenize("送料無料") == ["送料", "料無", "無料"]


def test_all_hiragana_bigrams_are_dropped_but_mixed_ones_kept() -> None:
    tokens = tokenize("返品できますか")
    assert "返品" in tokens
    assert "品で" in tokens
    assert "ます" not in tokens


def test_a_lone_kanji_stands_for_itself_and_kanji_kana_pairs_are_kept() -> None:
    assert tokenize("本 と 漫画") == ["本", "漫画"]
    assert tokenize("本を買う") == ["本を", "を買", "買う"]


def test_english_is_lowercased_stemmed_and_stripped_of_stopwords() -> None:
    assert tokenize("How do I CANCEL my Pre-Orders?") == ["cancel", "pre", "order"]


def test_contractions_and_single_letters_are_folded_away() -> None:
    assert tokenize("it doesn't arrive") == ["arrive"]


def test_full_width_letters_fold_to_ascii() -> None:
    assert tokenize("ＫＩＮＤＬＥ版") == ["kindle", "版"]


def test_mixed_text_yields_both_kinds() -> None:
    assert set(tokenize("Kindle版の返金")) == {"kindle", "版の", "の返", "返金"}


def test_stemming_folds_common_endings() -> None:
    assert {stem(word) for word in ("ship", "ships", "shipped", "shipping")} == {"ship"}
    assert stem("deliveries") == "delivery"
    assert stem("address") == "address"
    assert stem("boxes") == "box"


def test_nothing_to_index_gives_no_tokens() -> None:
    assert tokenize("") == []
    assert tokenize("😀🎉 !!! 123") == []
