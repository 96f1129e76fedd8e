"""``WS /chat/ws``: the chat socket."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from starlette.types import Message
from starlette.websockets import (
    WebSocket,
    WebSocketDisconnect,
    WebSocketDisconnected,
    WebSocketState,
)

from bridge.auth import SessionClaims
from bridge.exceptions import AuthError, RequestError
from bridge.frames import (
    AuthFrame,
    ClientFrame,
    FeedbackFrame,
    MessageFrame,
    PingFrame,
    encode_frame,
    error_frame,
    pong_frame,
    ready_frame,
    request_error_frame,
)
from bridge.hub import Subscription
from bridge.replay import resume_point
from bridge.service import ChatService

logger = logging.getLogger(__name__)

CLOSE_POLICY = 1008
CLOSE_INTERNAL = 1011
CLOSE_UNAUTHORIZED = 4401
CLOSE_IDLE = 4408
_MAX_REASON_BYTES = 123  # RFC 6455 §5.5: a control frame's payload is at most 125 bytes


class ChatSocket:
    """One task reads and handles client frames; another drains the connection's outbox.

    Every frame the bridge sends goes through the outbox, so an ack always
    precedes the replies to its turn.
    """

    def __init__(self, service: ChatService) -> None:
        self._service = service

    async def handle(self, websocket: WebSocket) -> None:
        if not self._service.allows_origin(websocket.headers.get("origin")):
            await websocket.close(CLOSE_POLICY, "origin not allowed")  # before accept: HTTP 403
            return
        await websocket.accept()
        try:
            claims = await self._authenticate(websocket)
            if claims is not None:
                await self._converse(websocket, claims)
        except WebSocketDisconnect:
            pass
        except Exception:
            # Without this the client would only see the connection drop (1006).
            logger.exception("the chat socket failed")
            if websocket.application_state == WebSocketState.CONNECTED:
                await websocket.close(CLOSE_INTERNAL, "internal error")

    async def _authenticate(self, websocket: WebSocket) -> SessionClaims | None:
        try:
            token = websocket.query_params.get("token") or await self._auth_frame(websocket)
            return self._service.authenticate(token)
        except AuthError as exc:
            await websocket.close(CLOSE_UNAUTHORIZED, _reason(str(exc)))
            return None

    async def _auth_frame(self, websocket: WebSocket) -> str:
        timeout_s = self._service.settings.auth_timeout_s
        try:
            async with asyncio.timeout(timeout_s):
                message = await _receive(websocket)
        except TimeoutError:
            raise AuthError(f"no token within {timeout_s:g} s") from None
        try:
            frame = self._service.parser.parse_text(message.get("text") or "")
        except RequestError as exc:
            raise AuthError(f"expected an auth frame: {exc.message}") from exc
        if not isinstance(frame, AuthFrame):
            raise AuthError("expected an auth frame or a token in the URL")
        return frame.token

    async def _converse(self, websocket: WebSocket, claims: SessionClaims) -> None:
        hub = self._service.hub
        try:
            resume = resume_point(websocket.query_params)
        except RequestError as exc:
            await websocket.close(CLOSE_POLICY, _reason(exc.message))
            return
        outbox = hub.subscribe(claims.session_id, ready_frame(claims.session_id), resume)
        sender = asyncio.create_task(_send_all(websocket, outbox))
        try:
            idle_s = self._service.settings.idle_timeout_s
            while True:
                try:
                    async with asyncio.timeout(idle_s):
                        message = await _receive(websocket)
                except TimeoutError:
                    await websocket.close(CLOSE_IDLE, f"idle for {idle_s:g} s")
                    return
                await self._handle(message, claims, outbox)
        finally:
            hub.unsubscribe(outbox)
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sender

    async def _handle(self, message: Message, claims: SessionClaims, outbox: Subscription) -> None:
        text = message.get("text")
        if text is None:
            outbox.offer(error_frame("binary_not_supported", "send JSON in text frames"))
            return
        try:
            await self._act(self._service.parser.parse_text(text), claims, outbox)
        except RequestError as exc:
            outbox.offer(request_error_frame(exc))

    async def _act(self, frame: ClientFrame, claims: SessionClaims, outbox: Subscription) -> None:
        match frame:
            case MessageFrame():
                await self._service.send_message(claims, frame, "ws", reply_to=outbox)
            case FeedbackFrame():
                await self._service.send_feedback(claims, frame)
            case PingFrame():
                outbox.offer(pong_frame())
            case AuthFrame():
                raise RequestError("invalid_message", "this socket is already authenticated")


async def _receive(websocket: WebSocket) -> Message:
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000), message.get("reason"))
    return message


async def _send_all(websocket: WebSocket, outbox: Subscription) -> None:
    with contextlib.suppress(WebSocketDisconnect, WebSocketDisconnected):
        async for frame in outbox:
            await websocket.send_text(encode_frame(frame))
        if outbox.overflowed:
            await websocket.close(CLOSE_POLICY, "client too slow: reply frames were not read")


def _reason(text: str) -> str:
    return text.encode()[:_MAX_REASON_BYTES].decode(errors="ignore")
