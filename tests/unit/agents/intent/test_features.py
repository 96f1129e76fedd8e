from agents.intent.features import MAX_CHARS, features, normalize_for_model


def test_digits_fold_so_every_order_id_looks_alike() -> None:
    assert features("order 250-1234567-7654321") == features("order 999-7654321-1234567")
    assert "shape:order_id" in features("order 250-1234567-7654321")


def test_japanese_is_cut_into_character_grams() -> None:
    found = features("返品したい")
    assert {"j:返", "j:返品", "j:<返品", "j:返品し"} <= set(found)


def test_english_words_keep_subword_grams_for_typos() -> None:
    typo, right = set(features("refnd")), set(features("refund"))
    assert "c:<ref" in typo & right


def test_full_width_text_is_the_same_as_half_width() -> None:
    assert features("ＲＥＦＵＮＤ ３巻") == features("refund 3巻")


def test_symbols_alone_still_give_evidence() -> None:
    assert features("👍") == ["bias", "s:👍"]
    assert features("") == ["bias"]


def test_long_text_is_capped() -> None:
    assert len(normalize_for_model("a" * (MAX_CHARS * 10))) == MAX_CHARS
