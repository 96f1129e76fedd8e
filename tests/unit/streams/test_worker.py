"""The pipeline worker's app: what it owns, it closes on shutdown."""

import httpx
import pytest

from connectors.commerce.factory import http_services
from streams import pipeline
from streams.settings import KafkaSettings
from streams.worker import build_app


async def test_the_http_commerce_client_is_closed_on_shutdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client = httpx.AsyncClient(base_url="http://127.0.0.1:9")
    services = http_services(client, owns_client=True)
    monkeypatch.setattr(pipeline, "remote_services", lambda: services)
    monkeypatch.setenv("MANGAASSIST_CACHE_METRICS_PORT", "0")
    app = build_app("pipeline", KafkaSettings())
    assert not client.is_closed
    await app.on_before_shutdown.send()
    assert client.is_closed
