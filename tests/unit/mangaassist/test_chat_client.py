"""The terminal chat client against a real uvicorn bridge on loopback, with a fake pipeline."""

import io
import sys

import pytest

from bridge.app import create_app
from bridge.settings import BridgeSettings
from bridge.testing import TestingPublisher, TestingResponses, echo_pipeline, serving
from mangaassist.chat_client import ChatClientError, chat_interactive, chat_once
from streams.settings import KafkaSettings

SETTINGS = BridgeSettings(token_secret="chat-client-test-secret-long-enough-for-hs256")


@pytest.fixture(params=[True])
async def base_url(request):
    """A bridge whose pipeline echoes each message (or, with param False, never answers)."""
    responses = TestingResponses()
    publisher = TestingPublisher(on_publish=echo_pipeline(responses) if request.param else None)
    app = create_app(SETTINGS, KafkaSettings(), publisher=publisher, responses=responses)
    async with serving(app, SETTINGS) as url:
        yield url


async def test_chat_once_returns_the_final_frame_with_chunks_and_timings(base_url):
    result = await chat_once(base_url, "ナルトの新刊", locale="ja", timeout_s=5)
    assert (result["type"], result["status"], result["text"]) == (
        "final",
        "ok",
        "echo: ナルトの新刊",
    )
    assert result["chunks"] == ["echo: ", "ナルトの新刊"]
    assert 0 <= result["first_chunk_ms"] <= result["final_ms"]


async def test_chat_once_reports_refused_input_as_the_error_frame(base_url):
    result = await chat_once(base_url, "x" * 2001, timeout_s=5)
    assert (result["type"], result["code"], result["chunks"]) == ("error", "text_too_long", [])


@pytest.mark.parametrize("base_url", [False], indirect=True)
async def test_chat_once_gives_up_after_its_timeout(base_url):
    result = await chat_once(base_url, "hello?", timeout_s=0.3)
    assert (result["type"], result["code"], result["chunks"]) == ("error", "timeout", [])


async def test_chat_interactive_streams_each_line_until_end_of_input(base_url, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO("hello\n\nworld\n"))
    assert await chat_interactive(base_url, "en") == 0
    assert capsys.readouterr().out == "echo: hello\necho: world\n"


async def test_unreachable_bridge_is_a_chat_client_error():
    with pytest.raises(ChatClientError):
        await chat_once("http://127.0.0.1:9", "hi", timeout_s=5)
