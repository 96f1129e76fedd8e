"""What the invalidation listener does with each message (the subscription itself: integration)."""

import json
import logging

import pytest

from connectors.cache import InvalidationListener, TieredCache, TtlCache, listener_client
from mangaassist.errors import ConfigurationError
from tests.unit.connectors.cache.helpers import CountingLoader


async def make() -> tuple[InvalidationListener, TieredCache[str]]:
    cache = TieredCache(
        "things",
        TtlCache[str](10, 30),
        None,
        CountingLoader({"a": "A", "b": "B"}),
        value_type=str,
        ttl_s=60,
    )
    await cache.get_many(["a", "b"])
    client = listener_client("redis://127.0.0.1:1/0")  # never contacted here
    listener = InvalidationListener(
        client, "chan", {"things": cache}, ignore_sender="me", owns_client=True
    )
    return listener, cache


async def test_a_message_drops_the_keys_it_names() -> None:
    listener, cache = await make()
    listener.apply(json.dumps({"namespace": "things", "keys": ["a"], "sender": "other"}).encode())
    assert cache.l1.get_many(["a", "b"]) == {"b": "B"}
    assert listener.applied == 1
    await listener.aclose()


async def test_its_own_echo_and_unknown_namespaces_are_skipped() -> None:
    listener, cache = await make()
    listener.apply(json.dumps({"namespace": "things", "keys": ["a"], "sender": "me"}))
    listener.apply(json.dumps({"namespace": "others", "keys": ["a"], "sender": "x"}))
    assert len(cache.l1) == 2
    assert listener.applied == 0
    await listener.aclose()


@pytest.mark.parametrize("data", [b"not json", b"[]", b'{"keys": []}', b'{"namespace": "things"}'])
async def test_a_malformed_message_is_logged_and_skipped(
    data: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    listener, cache = await make()
    with caplog.at_level(logging.WARNING, logger="connectors.cache.fanout"):
        listener.apply(data)
    assert len(cache.l1) == 2
    assert "malformed" in caplog.text
    await listener.aclose()


def test_a_bad_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        listener_client("http://not-redis")
