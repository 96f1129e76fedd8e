from datetime import date

import pytest

from agents.guard.facts import StoreFacts, TurnFacts
from agents.guard.grounding import extract_claims, ground_sentence
from agents.guard.model import GroundingContext

# Items of the synthetic store (connectors/store/data/catalog.json).
KINDLE_HERO_1 = "B0NIGT9WIB"  # The Secret Hero vol 1, Kindle: ¥614, in stock, 2025-10-03
PAPER_HERO_1 = "B07S9CJ8GX"  # same volume in paperback: ¥682, low stock
PAPER_KNIGHT_2 = "B0R82IN840"  # The Clock Tower Knight vol 2, paperback: ¥858, out of stock
PAPER_PAINTER_2 = "B0FKKUP75A"  # The Painter and the Mask vol 2: ¥528, preorder
BOX_TWILIGHT = "B07VO32DUM"  # Hero of the Twilight Capital vols 1-7 box set: ¥3,880
ORDER = "250-2888637-2396649"  # total ¥1,208, updated 2025-10-22
SOURCE = StoreFacts()
SKIP = ("送料", "shipping", "points", "free", "over", "以上", "無料")


def facts(
    asins: tuple[str, ...] = (), series: tuple[str, ...] = (), orders: tuple[str, ...] = ()
) -> TurnFacts:
    return TurnFacts.gather(GroundingContext(asins, series, orders), SOURCE)


def test_claims_of_a_sentence() -> None:
    sentence = (
        "B0NIGT9WIB: ¥1,234 (１,０００円), 在庫あり, out of stock, 2026年3月14日, all 12 volumes."
    )
    claims = [(c.kind, c.value, sentence[c.start : c.end]) for c in extract_claims(sentence)]
    assert claims == [
        ("asin", "B0NIGT9WIB", "B0NIGT9WIB"),
        ("price", 1234, "1,234"),
        ("price", 1000, "１,０００"),
        ("date", date(2026, 3, 14), "2026年3月14日"),
        ("stock", "in_stock", "在庫あり"),
        ("stock", "out_of_stock", "out of stock"),
        ("volumes", 12, "12"),
    ]


@pytest.mark.parametrize(
    ("sentence", "turn", "expected"),
    [
        # one product: the right value is certain, so the wrong one is corrected
        ("The Secret Hero, Vol. 1 (Kindle): ¥700, in stock.", facts((KINDLE_HERO_1,)),
         "The Secret Hero, Vol. 1 (Kindle): ¥614, in stock."),
        ("秘密の勇者　1巻（Kindle版）: 700円、在庫あり。", facts((KINDLE_HERO_1,)),
         "秘密の勇者　1巻（Kindle版）: 614円、在庫あり。"),
        ("Vol. 2 (paperback): ¥858, in stock.", facts((PAPER_KNIGHT_2,)),
         "Vol. 2 (paperback): ¥858, out of stock."),
        # a bare claim is about the turn's product
        ("在庫切れです。", facts((KINDLE_HERO_1,)), "在庫ありです。"),
        ("It's sold out.", facts((KINDLE_HERO_1,)), "It's in stock."),
        ("画家と仮面　2巻: 528円、在庫あり。", facts((PAPER_PAINTER_2,)),
         "画家と仮面　2巻: 528円、予約受付中。"),
        ("It was released on March 3, 2025.", facts((KINDLE_HERO_1,)),
         "It was released on October 3, 2025."),
        ("発売日は2025/11/03です。", facts((KINDLE_HERO_1,)), "発売日は2025/10/03です。"),
        ("The Clock Tower Knight (5 volumes): from ¥773.", facts(series=("series-002",)),
         "The Clock Tower Knight (3 volumes): from ¥773."),
        ("時計塔の騎士（全5巻）: 773円から。", facts(series=("series-002",)),
         "時計塔の騎士（全3巻）: 773円から。"),
        ("It collects all 9 volumes.", facts((BOX_TWILIGHT,)), "It collects all 7 volumes."),
        (f"Order {ORDER}: ¥1,500 in all.", facts(orders=(ORDER,)),
         f"Order {ORDER}: ¥1,208 in all."),
        # two products named by title and told apart by a format word
        ("The Secret Hero, Vol. 1 (Kindle): ¥999.", facts((KINDLE_HERO_1, PAPER_HERO_1)),
         "The Secret Hero, Vol. 1 (Kindle): ¥614."),
    ],
)  # fmt: skip
def test_wrong_values_are_corrected(sentence: str, turn: TurnFacts, expected: str) -> None:
    grounded = ground_sentence(sentence, turn, SOURCE, SKIP)
    assert (grounded.text, grounded.removed) == (expected, False)
    assert {(f.category, f.action) for f in grounded.findings} == {("grounding", "correct")}


@pytest.mark.parametrize(
    ("sentence", "turn"),
    [
        ("It costs ¥999.", facts((KINDLE_HERO_1, PAPER_HERO_1))),  # which of the two?
        ("価格は999円です。", facts((KINDLE_HERO_1, PAPER_HERO_1))),
        ("You might also like B0ZZZZZZZZ.", facts((KINDLE_HERO_1,))),  # not in the catalog
        ("B0ZZZZZZZZもおすすめです。", None),  # unknown ASINs go even without context
    ],
)
def test_unresolvable_sentences_are_removed(sentence: str, turn: TurnFacts | None) -> None:
    grounded = ground_sentence(sentence, turn, SOURCE, SKIP)
    assert grounded.removed
    assert grounded.findings[0].detail.startswith("sentence removed")


@pytest.mark.parametrize(
    ("sentence", "turn"),
    [
        ("The Secret Hero, Vol. 1 (Kindle): ¥614, in stock.", facts((KINDLE_HERO_1,))),
        ("¥682 in paperback, ¥614 on Kindle.", facts((KINDLE_HERO_1, PAPER_HERO_1))),
        ("Shipping is free on orders over ¥2,000.", facts((KINDLE_HERO_1,))),  # store policy
        ("送料は350円で、2,000円以上は無料です。", facts((KINDLE_HERO_1,))),
        ("It costs ¥999.", None),  # no products to check against
        (f"Your order {ORDER} was updated 2025-10-22.", facts(orders=(ORDER,))),
        ("Only a few left in paperback!", facts((PAPER_HERO_1,))),
        ("It's in stock.", facts((PAPER_HERO_1,))),  # a low-stock item is in stock
        ("Hero of the Twilight Capital has 7 volumes in total.", facts((BOX_TWILIGHT,))),
        ("第3巻は人気です。", facts((KINDLE_HERO_1,))),  # a volume number, not a count
        # store policy and general talk: no product is the subject
        ("Each point is worth 1 yen off a later order.", facts((KINDLE_HERO_1,))),
        (
            "On the page of an out-of-stock item, press Notify me when back in stock.",
            facts((KINDLE_HERO_1,)),
        ),
        (
            "New volumes open for pre-order about two months before release.",
            facts((KINDLE_HERO_1,)),
        ),
        ("Gift wrapping costs 200 yen per item.", facts((KINDLE_HERO_1,))),
        ("ギフトラッピングは1点につき200円です。", facts((KINDLE_HERO_1,))),
        ("Kindle editions never go out of stock.", facts((KINDLE_HERO_1,))),
        ("電子書籍は在庫切れにはなりません。", facts((KINDLE_HERO_1,))),
    ],
)
def test_true_and_unchecked_values_pass(sentence: str, turn: TurnFacts | None) -> None:
    grounded = ground_sentence(sentence, turn, SOURCE, SKIP)
    assert (grounded.text, grounded.removed, grounded.findings) == (sentence, False, ())


def test_turn_facts_gather_series_items_and_order_lines() -> None:
    turn = facts(series=("series-002",), orders=(ORDER,))
    assert {item.series_id for item in turn.known_items} >= {"series-002"}
    assert 1208 in turn.prices
    assert 3 in turn.volume_counts
    assert date(2025, 10, 22) in turn.dates


def test_unknown_ids_in_the_context_are_ignored() -> None:
    turn = facts(("B0ZZZZZZZZ",), ("series-999",), ("999-0000000-0000000",))
    assert (turn.items, turn.series, turn.orders) == ((), (), ())
