"""The replay provider: recorded completions played back, by prompt digest or by question."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.intent import understand
from agents.llm_reply import llm_reply
from agents.retrieval import ground
from connectors.knowledge.local import LocalKnowledgeBase
from connectors.knowledge.retriever import KnowledgeRetriever
from connectors.llm import (
    LlmDone,
    LlmGateway,
    LlmRejected,
    LlmRequest,
    LlmSettings,
    TextDelta,
    build_prompt,
    client_from_settings,
    estimate_tokens,
)
from connectors.llm.models import END_TURN, MAX_TOKENS
from connectors.llm.replay import (
    NO_RECORDING,
    Recording,
    ReplayLlmClient,
    cut_to_tokens,
    load_recordings,
    request_digest,
    split_pieces,
    write_recordings,
)
from connectors.llm.settings import LOCAL_MODEL
from mangaassist.errors import ConfigurationError
from schemas.events import ChatTurn, ContextItem, Event, GroundedTurn

KNOWLEDGE = KnowledgeRetriever(LocalKnowledgeBase.bundled())
SHIPPING = ContextItem(
    source="kb", ref_id="shipping#0", title="Shipping", text="Shipping is 350 yen.", score=0.9
)
ANSWER = "Shipping is a flat 350 yen [1]. Okinawa costs 500 yen more [1].\nSources: [1] kb:shipping"


def _request(question: str = "How much is shipping?", model: str = "small") -> LlmRequest:
    return build_prompt(question, "en", (), (SHIPPING,), 3000, model=model, max_tokens=512)


def _recording(request: LlmRequest, **changes: object) -> Recording:
    fields: dict[str, object] = {
        "turn_id": "t1",
        "prompt_sha256": request_digest(request),
        "text": ANSWER,
        "question": "How much is shipping?",
        "model": request.model,
        "sources": ("shipping",),
        "input_tokens": 321,
        "output_tokens": 24,
        "stop_reason": END_TURN,
    }
    fields.update(changes)
    return Recording(**fields)  # type: ignore[arg-type]


async def _play(client: ReplayLlmClient, request: LlmRequest) -> tuple[list[str], LlmDone]:
    pieces: list[str] = []
    done: LlmDone | None = None
    async for event in client.stream(request):
        if isinstance(event, TextDelta):
            pieces.append(event.text)
        else:
            done = event
    assert done is not None
    return pieces, done


def test_the_digest_covers_system_model_and_every_message() -> None:
    base = _request()
    assert len(request_digest(base)) == 64
    assert request_digest(base) == request_digest(_request())
    assert request_digest(base) != request_digest(_request(model="large"))
    assert request_digest(base) != request_digest(_request("送料は？<context>"))


async def test_a_recorded_prompt_gets_its_text_as_deltas_and_its_token_counts() -> None:
    request = _request()
    client = ReplayLlmClient([_recording(request)])
    pieces, done = await _play(client, request)
    assert "".join(pieces) == ANSWER
    assert len(pieces) > 1  # streamed, not in one piece
    assert (done.input_tokens, done.output_tokens, done.stop_reason) == (321, 24, END_TURN)
    assert client.matches == [("prompt", "t1")]


async def test_a_changed_prompt_falls_back_to_the_question() -> None:
    recorded = _request()
    client = ReplayLlmClient([_recording(recorded)])
    changed = _request(model="another-model")  # another digest, the same question
    assert request_digest(changed) != request_digest(recorded)
    pieces, _ = await _play(client, changed)
    assert "".join(pieces) == ANSWER
    assert client.matches == [("question", "t1")]


async def test_no_recording_is_rejected_so_the_stage_falls_back() -> None:
    client = ReplayLlmClient([_recording(_request())])
    with pytest.raises(LlmRejected, match=NO_RECORDING):
        await _play(client, _request("Can I return a book?"))
    assert client.matches == [("none", "")]


async def test_recordings_of_one_prompt_play_in_order_then_the_last_repeats() -> None:
    request = _request()
    client = ReplayLlmClient(
        [_recording(request, text="first", turn_id="a"), _recording(request, text="second")]
    )
    played = ["".join((await _play(client, request))[0]) for _ in range(3)]
    assert played == ["first", "second", "second"]


async def test_a_lower_max_tokens_cuts_the_answer_where_a_model_would_stop() -> None:
    request = _request()
    client = ReplayLlmClient([_recording(request)])
    short = LlmRequest(request.system, request.messages, request.model, 8, request.temperature)
    pieces, done = await _play(client, short)
    text = "".join(pieces)
    assert ANSWER.startswith(text)
    assert text
    assert len(text) < len(ANSWER)
    assert estimate_tokens(text) <= 8
    assert (done.output_tokens, done.stop_reason) == (estimate_tokens(text), MAX_TOKENS)


def test_cuts_keep_english_words_whole_and_pieces_join_back() -> None:
    assert cut_to_tokens("Shipping is a flat fee", 4) == "Shipping is a"
    assert cut_to_tokens("送料は五百円です", 2) == "送料は"
    assert cut_to_tokens("short", 100) == "short"
    for text in (ANSWER, "送料は500円です。沖縄は別です！[1]", "", "no end"):
        assert "".join(split_pieces(text)) == text


async def test_the_gateway_passes_the_recording_through_with_the_recorded_usage() -> None:
    request = _request(model=LOCAL_MODEL)
    gateway = LlmGateway(ReplayLlmClient([_recording(request)]), LlmSettings())
    events = [event async for event in gateway.stream(request)]
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == ANSWER
    assert events[-1] == LlmDone(321, 24, END_TURN)


async def test_a_recorded_llm_reply_replays_to_the_same_draft() -> None:
    """The generation stage's whole LLM path: record with the local model, play it back."""
    turn = ChatTurn(session_id="s", turn_id="t", text="Can Kindle books be refunded?", locale="en")
    grounded: GroundedTurn = await ground(understand(turn), KNOWLEDGE)
    original = await llm_reply(
        grounded, LlmGateway(client_from_settings(LlmSettings()), LlmSettings())
    )
    completion = original.completion
    assert completion is not None
    recording = Recording(
        turn_id=completion.turn_id,
        prompt_sha256=completion.prompt_sha256,
        text=completion.text,
        question=turn.text,
        model=completion.model,
        sources=completion.sources,
        input_tokens=completion.input_tokens,
        output_tokens=completion.output_tokens,
        stop_reason=completion.stop_reason,
    )
    # The replay provider asks for the model the local one answered as.
    settings = LlmSettings(provider="replay", small_model=LOCAL_MODEL, large_model=LOCAL_MODEL)
    client = ReplayLlmClient([recording])
    replayed = await llm_reply(grounded, LlmGateway(client, settings))
    assert client.matches == [("prompt", "t")]

    def same(event: Event | None) -> dict[str, object]:
        assert event is not None
        return event.model_dump(exclude={"ts"})  # the time it was made

    assert same(replayed.final) == same(original.final)
    assert [same(c) for c in replayed.chunks] == [same(c) for c in original.chunks]
    assert same(replayed.completion) == same(completion)


def test_recordings_round_trip_and_dump_lines_are_read_too(tmp_path: Path) -> None:
    recording = _recording(_request())
    path = tmp_path / "rec.jsonl"
    write_recordings(path, [recording])
    dump_line = {
        "topic": "chat.llm",
        "event_type": "LlmCompletion",
        "event": {"turn_id": "t2", "prompt_sha256": "ab", "text": "hi", "model": "m"},
    }
    with path.open("a", encoding="utf-8") as out:
        out.write("\n" + json.dumps(dump_line) + "\n")
    loaded = load_recordings(path)
    assert loaded[0] == recording
    assert (loaded[1].turn_id, loaded[1].text, loaded[1].question) == ("t2", "hi", None)


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "rec.jsonl:1: not an LLM recording"), ('{"text": "x"}', "no prompt_sha256")],
)
def test_a_bad_recordings_file_is_a_configuration_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "rec.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=message):
        load_recordings(path)
    with pytest.raises(ConfigurationError, match="cannot read LLM recordings"):
        load_recordings(tmp_path / "missing.jsonl")


def test_the_factory_builds_the_replay_client_from_the_settings(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl"
    write_recordings(path, [_recording(_request())])
    settings = LlmSettings(provider="replay", replay_recordings=path)
    assert isinstance(client_from_settings(settings), ReplayLlmClient)
    with pytest.raises(ConfigurationError, match="MANGAASSIST_LLM_REPLAY_RECORDINGS"):
        client_from_settings(LlmSettings(provider="replay"))
