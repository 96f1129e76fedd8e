"""In-memory stand-ins for Kafka, to run the bridge in tests without a broker.

    responses = TestingResponses()
    publisher = TestingPublisher(on_publish=echo_pipeline(responses))
    app = create_app(settings, KafkaSettings(), publisher=publisher, responses=responses)

``TestingResponses.push`` may be called from any thread (Starlette's TestClient
runs the app on a thread of its own).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar

from starlette.applications import Starlette

from bridge.kafka import ReplyEvent
from bridge.server import build_server
from bridge.settings import BridgeSettings
from schemas import AvroCodec, ChatTurn, Event, FinalReply, ReplyChunk, default_codec
from schemas.events import derive_id
from streams.exceptions import BrokerError
from streams.topics import TopicSpec

E = TypeVar("E", bound=Event)


class TestingPublisher:
    """Records what is published (after a round trip through the codec, as Kafka would)."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        *,
        on_publish: Callable[[Event], None] | None = None,
        codec: AvroCodec | None = None,
    ) -> None:
        self.published: list[tuple[TopicSpec, Event]] = []
        self.fail = False  # set to make publish raise BrokerError
        self._on_publish = on_publish
        self._codec = codec or default_codec()

    async def start(self) -> None:
        pass

    async def stop(self) -> None:
        pass

    async def publish(self, spec: TopicSpec, event: Event) -> None:
        if self.fail:
            raise BrokerError("TestingPublisher.fail is set")
        event = self._codec.decode(self._codec.encode(event))
        self.published.append((spec, event))
        if self._on_publish is not None:
            self._on_publish(event)

    def events(self, event_type: type[E]) -> list[E]:
        return [event for _, event in self.published if isinstance(event, event_type)]


class TestingResponses:
    """A response source that yields the events pushed into it."""

    __test__ = False

    def __init__(self) -> None:
        self._queue: asyncio.Queue[ReplyEvent | None] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self._put(None)

    def push(self, *events: ReplyEvent) -> None:
        for event in events:
            self._put(event)

    async def __aiter__(self) -> AsyncIterator[ReplyEvent]:
        while (event := await self._queue.get()) is not None:
            yield event

    def _put(self, item: ReplyEvent | None) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if self._loop is None or running is self._loop:
            self._queue.put_nowait(item)
        else:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)


def reply_events(turn: ChatTurn, texts: Sequence[str], *, status: str = "ok") -> list[ReplyEvent]:
    """What the pipeline answers to a turn: a chunk per text, then the final reply.

    Event ids derive from the turn, so building the replies twice yields duplicates.
    """
    chunks: list[ReplyEvent] = [
        ReplyChunk(
            event_id=derive_id(turn.event_id, f"chunk-{seq}"),
            session_id=turn.session_id,
            turn_id=turn.turn_id,
            seq=seq,
            text=text,
            received_ts=turn.ts,
        )
        for seq, text in enumerate(texts)
    ]
    final = FinalReply.model_validate(
        {
            "event_id": derive_id(turn.event_id, "final"),
            "session_id": turn.session_id,
            "turn_id": turn.turn_id,
            "status": status,
            "text": "".join(texts),
            "chunk_count": len(texts),
            "intent": "echo",
            "path": "template" if status == "ok" else "error",
            "error_code": None if status == "ok" else "testing",
            "received_ts": turn.ts,
        }
    )
    return [*chunks, final]


def echo_pipeline(responses: TestingResponses) -> Callable[[Event], None]:
    """An ``on_publish`` hook answering every turn with two chunks and a final reply."""

    def answer(event: Event) -> None:
        if isinstance(event, ChatTurn):
            responses.push(*reply_events(event, ["echo: ", event.text]))

    return answer


@asynccontextmanager
async def serving(app: Starlette, settings: BridgeSettings) -> AsyncIterator[str]:
    """Serve the app with uvicorn on a free loopback port; yields its base URL."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        server = build_server(app, settings)
        task = asyncio.create_task(server.serve(sockets=[listener]))
        try:
            while not server.started:
                if task.done():
                    task.result()
                    raise RuntimeError("the server stopped before it started")
                await asyncio.sleep(0.01)
            yield f"http://127.0.0.1:{listener.getsockname()[1]}"
        finally:
            server.should_exit = True
            await task
