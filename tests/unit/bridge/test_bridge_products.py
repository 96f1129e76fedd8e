"""Product cards for the widget, read live from the demo catalog."""

from connectors.store import load_store


def test_cards_carry_the_catalogs_price_and_stock(bridge):
    store = load_store()
    asins = list(store.item_by_asin)[:2]
    response = bridge.client.get("/catalog/items", params={"asins": ",".join(asins)})
    assert response.status_code == 200
    cards = response.json()["items"]
    assert [card["asin"] for card in cards] == asins
    for card in cards:
        item = store.item_by_asin[card["asin"]]
        assert (card["price_jpy"], card["availability"]) == (item.price_jpy, item.availability)
        assert card["url"] == f"/dp/{item.asin}"


def test_unknown_asins_are_left_out(bridge):
    response = bridge.client.get("/catalog/items", params={"asins": "B0ZZZZZZZZ"})
    assert response.json() == {"items": []}


def test_malformed_requests_are_422(bridge):
    for params in ({}, {"asins": "not-an-asin"}, {"asins": ",".join(["B0AAAAAAAA"] * 21)}):
        response = bridge.client.get("/catalog/items", params=params)
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "invalid_message"
