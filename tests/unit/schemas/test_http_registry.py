"""The Confluent-compatible client, over httpx's injectable transport."""

import json

import httpx
import pytest

from schemas import AvroCodec, ChatTurn, load_catalog
from schemas.exceptions import RegistryError
from schemas.registry import HttpSchemaRegistry


class FakeConfluentRegistry:
    """Speaks the two endpoints the client uses, with Confluent's response shapes."""

    def __init__(self) -> None:
        self.schemas: dict[int, str] = {}
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(f"{request.method} {request.url.path}")
        if request.method == "POST" and request.url.path.startswith("/subjects/"):
            text = json.loads(request.content)["schema"]
            schema_id = next(
                (i for i, s in self.schemas.items() if s == text), len(self.schemas) + 1
            )
            self.schemas[schema_id] = text
            return httpx.Response(200, json={"id": schema_id})
        if request.method == "GET" and request.url.path.startswith("/schemas/ids/"):
            schema_id = int(request.url.path.rsplit("/", 1)[1])
            if schema_id not in self.schemas:
                return httpx.Response(
                    404, json={"error_code": 40403, "message": "Schema not found"}
                )
            return httpx.Response(200, json={"schema": self.schemas[schema_id]})
        return httpx.Response(404)


def test_codec_round_trips_through_an_http_registry() -> None:
    server = FakeConfluentRegistry()
    client = httpx.Client(base_url="http://registry", transport=httpx.MockTransport(server))
    writer = AvroCodec(HttpSchemaRegistry(client), load_catalog())
    reader = AvroCodec(HttpSchemaRegistry(client), load_catalog())
    turn = ChatTurn(session_id="s", turn_id="t", text="こんにちは")
    data = writer.encode(turn)
    assert reader.decode(data) == turn
    assert "POST /subjects/mangaassist.events.ChatTurn/versions" in server.requests


def test_unknown_ids_are_fetched_once_and_cached() -> None:
    server = FakeConfluentRegistry()
    client = httpx.Client(base_url="http://registry", transport=httpx.MockTransport(server))
    schema = load_catalog().latest(ChatTurn.full_name()).raw
    schema_id = HttpSchemaRegistry(client).register("mangaassist.events.ChatTurn", schema)
    fresh = HttpSchemaRegistry(client)
    assert fresh.schema(schema_id) == fresh.schema(schema_id) == schema
    assert server.requests.count(f"GET /schemas/ids/{schema_id}") == 1


def test_registry_errors_are_wrapped() -> None:
    client = httpx.Client(
        base_url="http://registry",
        transport=httpx.MockTransport(lambda request: httpx.Response(500, text="boom")),
    )
    with pytest.raises(RegistryError, match="answered 500"):
        HttpSchemaRegistry(client).schema(7)
