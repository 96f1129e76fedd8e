"""The agent console over real HTTP: a shopper's hand-off, claimed and answered by a person.

The whole stack runs (broker, pipeline, bridge with the console and its
in-process queue, conversation memory in Redis): the shopper asks for a person on
a real WebSocket, the escalation reaches the bridge's queue through
``chat.escalations``, the shopper is told the wait, and the agent's reply goes
through ``chat.responses`` back to the shopper's socket.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection

from agents import templates
from bridge.app import create_app
from bridge.console import HandoffConsole
from bridge.settings import BridgeSettings
from bridge.testing import TestingPublisher, TestingResponses
from connectors.handoff import InProcessHandoffQueue
from mangaassist.stack import LocalStack
from schemas import FinalReply
from streams.settings import KafkaSettings
from streams.topics import RESPONSES
from tests.integration.bridge.widget import SCREENSHOTS, widget_page
from tests.integration.chat import Frame, connected, next_frame
from tests.unit.connectors.handoff.helpers import escalation

TOKEN_ENV = "MANGAASSIST_HANDOFF_CONSOLE_TOKEN"
WAIT = re.compile(r"お待ちいただく時間の目安は約\d+分です（\d+番目にご案内します）。")


def console_client(stack: LocalStack, token: str | None = None) -> httpx.AsyncClient:
    token = stack.env[TOKEN_ENV] if token is None else token
    return httpx.AsyncClient(
        base_url=stack.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


async def next_final(socket: ClientConnection) -> Frame:
    while (frame := await next_frame(socket))["type"] != "final":
        pass
    return frame


async def ticket_of(client: httpx.AsyncClient, session_id: str) -> dict[str, Any]:
    """The session's waiting ticket, once the escalation has reached the queue."""
    deadline = time.monotonic() + 20
    while True:
        response = await client.get("/handoff/api/tickets")
        assert response.status_code == 200, response.text
        mine = [t for t in response.json()["waiting"] if t["session_id"] == session_id]
        if mine:
            return dict(mine[0])
        assert time.monotonic() < deadline, "the escalation never reached the console"
        await asyncio.sleep(0.2)


async def test_a_person_claims_the_chat_and_the_reply_reaches_the_shoppers_socket(
    stack: LocalStack,
) -> None:
    session_id, socket = await connected(stack.base_url, "ja")
    async with socket, console_client(stack) as console:
        await socket.send('{"type": "message", "text": "担当者と話したい", "client_msg_id": "c-1"}')
        ack = await next_frame(socket)
        assert ack["type"] == "ack"
        # The answer, and the wait in a turn of its own that the shopper did not start;
        # they come on two paths (chat.drafts, chat.escalations), in either order.
        finals = [await next_final(socket), await next_final(socket)]
        [answer] = [f for f in finals if f["turn_id"] == ack["turn_id"]]
        [wait] = [f for f in finals if f is not answer]
        assert answer["intent"] == "escalation"
        assert answer["text"].startswith(templates.CONNECTING.ja)
        assert (wait["status"], wait["intent"], wait["path"]) == ("ok", "escalation", "template")
        assert WAIT.fullmatch(wait["text"]), wait["text"]

        ticket = await ticket_of(console, session_id)
        assert ticket["position"] >= 1
        assert ticket["wait_s"] == ticket["position"] * 180.0
        assert ticket["escalation"]["reason"] == "shopper_request"
        assert ticket["escalation"]["summary"] == "担当者と話したい"
        assert ticket["escalation"]["turn_id"] == ack["turn_id"]
        ticket_id = ticket["ticket_id"]

        detail = (await console.get(f"/handoff/api/tickets/{ticket_id}")).json()
        assert detail["memory"] == "ok"
        assert [(t["user_text"], t["intent"]) for t in detail["turns"]] == [
            ("担当者と話したい", "escalation")
        ]

        claimed = await console.post(
            f"/handoff/api/tickets/{ticket_id}/claim", json={"agent": "aiko"}
        )
        assert claimed.status_code == 200, claimed.text
        assert (claimed.json()["ticket"]["status"], claimed.json()["ticket"]["agent"]) == (
            "claimed",
            "aiko",
        )
        joined = await next_final(socket)
        assert (joined["path"], joined["text"]) == ("human", templates.HANDOFF_JOINED.ja)

        other = await console.post(
            f"/handoff/api/tickets/{ticket_id}/reply", json={"agent": "ben", "text": "やあ"}
        )
        assert other.status_code == 409
        text = "担当のアイコです。ご注文の件、確認いたします。"
        sent = await console.post(
            f"/handoff/api/tickets/{ticket_id}/reply", json={"agent": "aiko", "text": text}
        )
        assert sent.status_code == 200, sent.text
        reply = await next_final(socket)
        assert reply == {
            "type": "final",
            "turn_id": sent.json()["turn_id"],
            "status": "ok",
            "text": text,
            "intent": None,
            "path": "human",
            "sources": [],
            "chunk_count": 0,
            "error_code": None,
        }

        detail = (await console.get(f"/handoff/api/tickets/{ticket_id}")).json()
        assert [(r["agent"], r["text"]) for r in detail["replies"]] == [("aiko", text)]
        closed = await console.post(
            f"/handoff/api/tickets/{ticket_id}/close", json={"agent": "aiko"}
        )
        assert closed.json()["ticket"]["status"] == "closed"
        listed = (await console.get("/handoff/api/tickets")).json()
        assert ticket_id not in {t["ticket_id"] for t in listed["waiting"] + listed["claimed"]}


async def test_the_console_wants_its_token(stack: LocalStack) -> None:
    async with httpx.AsyncClient(base_url=stack.base_url, timeout=10) as anonymous:
        page = await anonymous.get("/handoff")
        assert page.status_code == 200
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert 'id="sign-in"' in page.text
        missing = await anonymous.get("/handoff/api/tickets")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"] == "Bearer"
    async with console_client(stack, "wrong-token-of-some-length") as wrong:
        assert (await wrong.get("/handoff/api/tickets")).status_code == 401
    async with console_client(stack) as console:
        assert (await console.get("/handoff/api/tickets/no-such-ticket")).status_code == 404
        bad = await console.post("/handoff/api/tickets/no-such-ticket/claim", json={"agent": ""})
        assert bad.status_code == 422


async def test_without_a_token_there_is_no_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    app = create_app(
        BridgeSettings(),
        KafkaSettings(),
        publisher=TestingPublisher(),
        responses=TestingResponses(),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bridge") as client:
        assert (await client.get("/handoff")).status_code == 404
        assert (await client.get("/handoff/api/tickets")).status_code == 404


async def test_replies_are_final_replies_on_chat_responses_keyed_by_the_session() -> None:
    publisher = TestingPublisher()
    queue = InProcessHandoffQueue(120)
    await queue.enqueue(escalation("s-9", locale="en"))
    console = HandoffConsole("t" * 32, queue, publisher)
    app = create_app(
        BridgeSettings(),
        KafkaSettings(),
        publisher=publisher,
        responses=TestingResponses(),
        console=console,
    )
    headers = {"Authorization": f"Bearer {'t' * 32}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://b", headers=headers) as c:
        assert (await c.post("/handoff/api/tickets/esc-s-9/claim", json={"agent": "ai"})).is_success
        assert (await c.post("/handoff/api/tickets/esc-s-9/claim", json={"agent": "ai"})).is_success
        taken = await c.post("/handoff/api/tickets/esc-s-9/claim", json={"agent": "bo"})
        assert taken.status_code == 409
        control = await c.post(
            "/handoff/api/tickets/esc-s-9/reply", json={"agent": "ai", "text": "a\x00b"}
        )
        assert control.status_code == 422
        sent = await c.post(
            "/handoff/api/tickets/esc-s-9/reply", json={"agent": "ai", "text": " Hello! "}
        )
        assert sent.is_success
    joined, reply = publisher.events(FinalReply)
    assert [spec for spec, _ in publisher.published] == [RESPONSES, RESPONSES]
    assert (joined.session_id, joined.path, joined.text) == (
        "s-9",
        "human",
        templates.HANDOFF_JOINED.en,
    )
    assert (reply.session_id, reply.turn_id, reply.path, reply.text) == (
        "s-9",
        sent.json()["turn_id"],
        "human",
        "Hello!",
    )


async def test_the_widget_shows_the_message_a_person_typed_in_the_console(
    stack: LocalStack,
) -> None:
    async with widget_page(f"{stack.base_url}/") as widget:
        await widget.open_widget()
        await widget.ask("担当者と話したい")
        log = widget.page.locator(".log")
        await log.get_by_text(WAIT).wait_for()
        # The reply and its follow-up with the wait share one notice.
        assert await widget.page.locator(".notice.escalation").count() == 1

        async with console_client(stack) as api:
            ticket_id = (await ticket_of(api, widget.session_id))["ticket_id"]

        browser = widget.page.context.browser
        assert browser is not None
        console = await browser.new_page()  # a context of its own: a second person's browser
        console.set_default_timeout(30_000)
        problems: list[str] = []
        console.on("pageerror", lambda error: problems.append(f"error: {error}"))
        console.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        await console.goto(f"{stack.base_url}/handoff")
        await console.locator('input[name="agent"]').fill("aiko")
        await console.locator('input[name="token"]').fill(stack.env[TOKEN_ENV])
        await console.locator('#sign-in button[type="submit"]').click()
        await console.locator(f'.ticket[data-ticket-id="{ticket_id}"] .claim').click()
        await console.locator('#chat[data-status="claimed"]').wait_for()
        assert "担当者と話したい" in (await console.locator("#turns").text_content() or "")
        await console.locator('#reply textarea[name="text"]').fill("担当のアイコです。")
        await console.keyboard.press("Enter")
        await console.locator("#turns .agent").get_by_text("担当のアイコです。").wait_for()

        human = widget.page.locator(".msg.human").filter(has_text="担当のアイコです。")
        await human.wait_for()
        assert await human.locator(".author").text_content() == "担当者"
        assert await human.locator(".text").text_content() == "担当のアイコです。"
        assert await human.locator(".feedback").count() == 0
        joined = widget.page.locator(".msg.human").filter(has_text=templates.HANDOFF_JOINED.ja)
        assert await joined.count() == 1
        await widget.screenshot("widget-ja-human-agent")
        await console.screenshot(path=SCREENSHOTS / "console.png")
        assert widget.problems == problems == []
