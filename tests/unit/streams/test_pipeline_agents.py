"""The faust agents, driven with faust's own test_context(): no broker involved."""

from collections.abc import AsyncIterator

import pytest
from faust.types import AgentT

from schemas import AvroCodec, ChatTurn, Event, FinalReply, ReplyChunk, load_catalog
from schemas.registry import LocalSchemaRegistry
from streams.testing import RecordingSender, pipeline_under_test, walk_turn
from streams.testing import put as put_event
from streams.topics import DEADLETTER, DRAFTS, ESCALATIONS, GROUNDED, RESPONSES, UNDERSTOOD

CODEC = AvroCodec(LocalSchemaRegistry(load_catalog()))
Pipeline = tuple[dict[str, AgentT], RecordingSender]


@pytest.fixture
async def pipeline() -> AsyncIterator[Pipeline]:
    async with pipeline_under_test(CODEC) as running:
        yield running


async def put(agent: AgentT, event: Event) -> None:
    await put_event(agent, CODEC, event)


async def test_a_turn_walks_through_all_four_agents(pipeline: Pipeline) -> None:
    agents, sender = pipeline
    await put(
        agents["intent"], ChatTurn(session_id="s1", turn_id="t1", text="送料はいくらですか？")
    )
    [understood] = sender.on(UNDERSTOOD)
    await put(agents["retrieval"], understood)
    [grounded] = sender.on(GROUNDED)
    await put(agents["generation"], grounded)
    for draft in sender.on(DRAFTS):
        await put(agents["guardrail"], draft)
    replies = sender.on(RESPONSES)
    chunks = [r for r in replies if isinstance(r, ReplyChunk)]
    [final] = [r for r in replies if isinstance(r, FinalReply)]
    assert final.status == "ok"
    assert final.intent == "faq"
    assert final.turn_id == "t1"
    assert "".join(c.text for c in chunks) == final.text
    assert [c.seq for c in chunks] == list(range(final.chunk_count))


async def test_escalation_turn_emits_an_escalation_event(pipeline: Pipeline) -> None:
    agents, sender = pipeline
    await put(
        agents["intent"],
        ChatTurn(session_id="s2", turn_id="t2", text="I want to talk to a human", locale="en"),
    )
    await put(agents["retrieval"], sender.on(UNDERSTOOD)[0])
    await put(agents["generation"], sender.on(GROUNDED)[0])
    [escalation] = sender.on(ESCALATIONS)
    assert escalation.session_id == "s2"


async def test_garbage_reaches_the_dead_letter_topic_and_the_agent_goes_on(
    pipeline: Pipeline,
) -> None:
    agents, sender = pipeline
    async with agents["intent"].test_context() as running:
        await running.put(b"not avro", key=b"s3")
        await running.put(
            CODEC.encode(ChatTurn(session_id="s3", turn_id="t3", text="hello")), key=b"s3"
        )
    assert len(sender.on(DEADLETTER)) == 1
    assert len(sender.on(UNDERSTOOD)) == 1


async def _reply(agents: dict[str, AgentT], sender: RecordingSender, turn: ChatTurn) -> FinalReply:
    return await walk_turn(agents, sender, CODEC, turn)


async def test_the_second_one_is_the_second_item_the_last_reply_showed(
    pipeline: Pipeline,
) -> None:
    agents, sender = pipeline
    ask = ChatTurn(session_id="s4", turn_id="t1", text="時計塔の騎士 Kindle版", locale="ja")
    first = await _reply(agents, sender, ask)
    assert len(first.sources) >= 2
    follow = ChatTurn(session_id="s4", turn_id="t2", text="2つ目はいくらですか？", locale="ja")
    second = await _reply(agents, sender, follow)
    assert second.sources == (first.sources[1],)
    [understood] = sender.on(UNDERSTOOD)
    assert understood.intent == "product_question"
    assert not understood.context_lost


async def test_memory_is_per_session(pipeline: Pipeline) -> None:
    agents, sender = pipeline
    await _reply(
        agents, sender, ChatTurn(session_id="s5", turn_id="t1", text="時計塔の騎士 Kindle版")
    )
    other = await _reply(agents, sender, ChatTurn(session_id="s6", turn_id="t1", text="2つ目は？"))
    assert other.sources == ()
