"""The seeds' degraded modes, each shown by stopping the dependency: the store services run
as the real HTTP server, then stop; the pipeline agents run under faust's test_context()."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import ExitStack

import httpx
import pytest
from faust.types import AgentT

from connectors.commerce.factory import services_from_settings
from connectors.commerce.server import create_app
from connectors.commerce.settings import CommerceSettings
from connectors.kafka import free_loopback_port
from connectors.memory import InProcessMemory
from schemas import ChatTurn, FinalReply, default_codec
from streams.testing import RecordingSender, pipeline_under_test, walk_turn
from tests.integration.connectors.commerce.conftest import serving

CODEC = default_codec()
USER = "user-001"


class Running:
    """The pipeline over the store services at ``base_url``, and a switch to stop them."""

    def __init__(self, agents: dict[str, AgentT], sender: RecordingSender, stop: ExitStack) -> None:
        self.agents, self.sender, self._stop = agents, sender, stop

    async def reply(self, turn: ChatTurn) -> FinalReply:
        return await walk_turn(self.agents, self.sender, CODEC, turn)

    def stop_services(self) -> None:
        self._stop.close()


@pytest.fixture
async def running() -> AsyncIterator[Running]:
    with ExitStack() as server:
        base_url = server.enter_context(serving(create_app()))
        services = services_from_settings(
            CommerceSettings(backend="http", base_url=base_url, timeout_s=0.5)
        )
        async with pipeline_under_test(CODEC, services=services, memory=InProcessMemory()) as (
            agents,
            sender,
        ):
            yield Running(agents, sender, server.pop_all())
        await services.aclose()


def _turn(text: str, locale: str = "en", user_id: str | None = None) -> ChatTurn:
    return ChatTurn(session_id="s", turn_id="t", text=text, locale=locale, user_id=user_id)  # type: ignore[arg-type]


async def test_catalog_down_gives_a_search_link_with_an_apology(running: Running) -> None:
    running.stop_services()
    for text, locale, apology in [
        ("The Clock Tower Knight kindle", "en", "Sorry"),
        ("時計塔の騎士 Kindle版", "ja", "申し訳ありません"),
    ]:
        final = await running.reply(_turn(text, locale))
        assert (final.status, final.path, final.degraded) == ("ok", "fallback", ("catalog",))
        assert apology in final.text
        assert "?k=" in final.text  # the store search page for what was asked


async def test_order_service_down_points_to_the_order_tracking_page(running: Running) -> None:
    running.stop_services()
    final = await running.reply(_turn("where is my order 250-1234567-7654321", user_id=USER))
    assert (final.path, final.degraded) == ("fallback", ("orders",))
    assert "order-tracking page" in final.text


async def test_recommendations_down_come_from_the_trending_cache() -> None:
    # The engine is Amazon Personalize at an address nothing answers; the catalog is up.
    settings = CommerceSettings(
        recommendations="personalize",
        personalize_campaign_arn="arn:aws:personalize:ap-northeast-1:000000000000:campaign/x",
        personalize_endpoint_url=f"http://127.0.0.1:{free_loopback_port()}",
        timeout_s=0.5,
    )
    services = services_from_settings(settings)
    try:
        async with pipeline_under_test(CODEC, services=services) as (agents, sender):
            for text, locale, lead in [
                ("what should I read next?", "en", "popular"),
                ("次に読むならおすすめは？", "ja", "人気"),
            ]:
                turn = _turn(text, locale, user_id=USER)
                final = await walk_turn(agents, sender, CODEC, turn)
                assert final.degraded == ("recommendations",)
                assert lead in final.text
                assert final.sources  # trending items, priced from the live catalog
                assert ("円" if locale == "ja" else "¥") in final.text
    finally:
        await services.aclose()


async def test_with_the_services_up_the_same_turns_are_answered(running: Running) -> None:
    final = await running.reply(_turn("The Clock Tower Knight kindle"))
    assert (final.path, final.degraded) == ("retrieval", ())
    assert "¥" in final.text
    tracked = await running.reply(_turn("where is my order 250-1234567-7654321", user_id=USER))
    assert tracked.degraded == ()


def test_the_stopped_server_really_is_gone() -> None:
    with serving(create_app()) as base_url:
        assert httpx.get(f"{base_url}/catalog/search?q=knight&k=1").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/catalog/search?q=knight&k=1", timeout=0.5)
