import pytest

from agents.references import resolve_references
from connectors.memory.models import ShownItem
from schemas.events import Entity

THREE = (
    ShownItem(kind="product", id="B000000001", title="One"),
    ShownItem(kind="product", id="B000000002", title="Two"),
    ShownItem(kind="product", id="series-003", title="Three"),
)
ONE = THREE[:1]


def _asin(value: str) -> Entity:
    return Entity(kind="asin", value=value)


@pytest.mark.parametrize(
    ("text", "picked", "how"),
    [
        ("What about the second one you mentioned?", _asin("B000000002"), "ordinal:2"),
        ("how much is the 2nd one", _asin("B000000002"), "ordinal:2"),
        ("the first one please", _asin("B000000001"), "ordinal:1"),
        ("and the last one?", Entity(kind="series", value="series-003"), "ordinal:-1"),
        ("number 3", Entity(kind="series", value="series-003"), "ordinal:3"),
        ("2つ目はいくら？", _asin("B000000002"), "ordinal:2"),
        ("２つ目の在庫は", _asin("B000000002"), "ordinal:2"),
        ("二つ目の発売日", _asin("B000000002"), "ordinal:2"),
        ("1番目のやつ", _asin("B000000001"), "ordinal:1"),
        ("最初のをください", _asin("B000000001"), "ordinal:1"),
        ("最後のは？", Entity(kind="series", value="series-003"), "ordinal:-1"),
    ],
)
def test_ordinals_pick_from_what_was_shown(text: str, picked: Entity, how: str) -> None:
    assert resolve_references(text, THREE).entities == (picked, Entity(kind="reference", value=how))


@pytest.mark.parametrize(
    "text", ["is it in stock?", "how much is that one", "それはいくら？", "さっきのは在庫ある？"]
)
def test_a_pointer_picks_the_only_item_shown(text: str) -> None:
    assert resolve_references(text, ONE).entities == (
        _asin("B000000001"),
        Entity(kind="reference", value="anaphora"),
    )


@pytest.mark.parametrize("text", ["is it in stock?", "それはいくら？", "さっきの"])
def test_a_pointer_among_several_is_ambiguous(text: str) -> None:
    resolution = resolve_references(text, THREE)
    assert resolution.ambiguous
    assert [e.value for e in resolution.entities if e.kind != "reference"] == [
        "B000000001",
        "B000000002",
        "series-003",
    ]


@pytest.mark.parametrize(
    ("text", "volume"),
    [
        ("the first volume of it", "1"),
        ("volume 3 of that", "3"),
        ("それの1巻ある？", "1"),
        ("その第3巻", "3"),
        ("さっきの作品の最初の巻", "1"),
    ],
)
def test_a_volume_of_it_keeps_the_item_and_adds_the_volume(text: str, volume: str) -> None:
    assert resolve_references(text, ONE).entities == (
        _asin("B000000001"),
        Entity(kind="volume", value=volume),
        Entity(kind="reference", value="volume-of:1"),
    )


def test_an_order_resolves_to_its_id() -> None:
    orders = (
        ShownItem(kind="order", id="250-1111111-1111111", title="a"),
        ShownItem(kind="order", id="250-2222222-2222222", title="b"),
    )
    entities = resolve_references("the second order", orders).entities
    assert entities[0] == Entity(kind="order_id", value="250-2222222-2222222")


@pytest.mark.parametrize("text", ["the fourth one", "5つ目"])
def test_an_ordinal_past_the_list_resolves_to_nothing(text: str) -> None:
    assert resolve_references(text, THREE).entities == ()


@pytest.mark.parametrize("text", ["hello", "送料はいくら", "", "👍", "a" * 10_000])
def test_text_without_a_reference_resolves_to_nothing(text: str) -> None:
    assert resolve_references(text, THREE).entities == ()


def test_nothing_shown_means_nothing_to_resolve() -> None:
    assert resolve_references("the second one", ()).entities == ()
