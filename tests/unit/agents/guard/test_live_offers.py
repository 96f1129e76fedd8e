from agents.guard import GroundingContext, Guard, StoreFacts
from agents.guard.facts import LiveOffer, LiveOfferFacts
from connectors.store import load_store


def test_live_offers_replace_the_store_price_and_the_series_lowest() -> None:
    store = load_store()
    series_id, items = next((s, i) for s, i in store.items_by_series.items() if len(i) >= 2)
    cheapest = min(items, key=lambda item: item.price_jpy)
    facts = LiveOfferFacts(StoreFacts(store), {cheapest.asin: LiveOffer(1, "out_of_stock")})
    live = facts.item(cheapest.asin)
    assert live is not None
    assert (live.price_jpy, live.availability) == (1, "out_of_stock")
    series = facts.series(series_id)
    assert series is not None
    assert series.lowest_price_jpy == 1
    other = next(item for item in items if item.asin != cheapest.asin)
    assert facts.item(other.asin) == StoreFacts(store).item(other.asin)


def test_a_live_price_is_kept_where_the_store_price_would_be_corrected() -> None:
    item = next(iter(load_store().item_by_asin.values()))
    live_price = item.price_jpy + 111
    context = GroundingContext(asins=(item.asin,))
    sentence = f"{item.title_en} is ¥{live_price:,}."
    stale = Guard().check_sentence(sentence, "output", Guard().turn_facts(context), "en")
    assert f"¥{live_price:,}" not in stale.text
    live_guard = Guard().with_facts(
        LiveOfferFacts(StoreFacts(), {item.asin: LiveOffer(live_price, item.availability)})
    )
    live = live_guard.check_sentence(sentence, "output", live_guard.turn_facts(context), "en")
    assert live.text == sentence
