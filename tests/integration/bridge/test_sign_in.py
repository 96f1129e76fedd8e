"""Personal answers need a signed-in session; signing in keeps the conversation."""

from __future__ import annotations

import json

import httpx
from websockets.asyncio.client import connect

from bridge.identity import LocalIdentityProvider
from connectors.store import load_store
from mangaassist.stack import LocalStack
from tests.integration.chat import frames_until_final, next_frame, open_session, socket_url
from tests.integration.conftest import IDENTITY_SECRET


async def ask(base_url: str, token: str, text: str) -> dict[str, object]:
    async with connect(socket_url(base_url, token)) as socket:
        await next_frame(socket)  # ready
        await socket.send(json.dumps({"type": "message", "text": text}))
        return (await frames_until_final(socket, 1))[-1]


async def test_a_guest_signs_in_mid_conversation_and_gets_the_order_status(
    stack: LocalStack,
) -> None:
    order = next(o for o in load_store().order_by_id.values() if o.tracking_number)
    question = f"Where is my order {order.id}?"
    session_id, guest_token = await open_session(stack.base_url, "en")

    as_guest = await ask(stack.base_url, guest_token, question)
    identity = LocalIdentityProvider(IDENTITY_SECRET).issue(order.user_id)
    async with httpx.AsyncClient(base_url=stack.base_url) as client:
        signed_in = await client.post(
            "/chat/login",
            json={"identity_token": identity},
            headers={"Authorization": f"Bearer {guest_token}"},
        )
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["session_id"] == session_id
    as_owner = await ask(stack.base_url, signed_in.json()["token"], question)

    assert "sign in" in str(as_guest["text"])
    assert order.tracking_number not in str(as_guest["text"])
    assert order.tracking_number in str(as_owner["text"])
    assert as_owner["sources"] == [order.id]
