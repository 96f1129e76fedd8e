"""The HTTP side: session init, and the fallback for clients without WebSockets
(``POST /chat/messages`` in, Server-Sent Events out), with the same frames.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

from pydantic import BaseModel
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from bridge.auth import SessionClaims
from bridge.exceptions import AuthError, ErrorCode, RequestError
from bridge.frames import (
    FeedbackFrame,
    Frame,
    InitRequest,
    MessageFrame,
    SignInRequest,
    encode_frame,
    ready_frame,
)
from bridge.hub import Subscription
from bridge.replay import ResumePoint, resume_point
from bridge.service import ChatService

Endpoint = Callable[[Request], Awaitable[Response]]
F = TypeVar("F", bound=BaseModel)

HTTP_STATUS: dict[ErrorCode, int] = {
    "bad_json": 400,
    "unknown_type": 400,
    "binary_not_supported": 400,
    "unauthorized": 401,
    "forbidden_origin": 403,
    "frame_too_large": 413,
    "unsupported_media_type": 415,
    "invalid_message": 422,
    "empty_text": 422,
    "text_too_long": 422,
    "unavailable": 503,
    "timeout": 504,
    "rate_limited": 429,
}

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def error_response(
    code: ErrorCode, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=HTTP_STATUS[code], headers=headers)


def sse_event(frame: Frame) -> str:
    return f"event: {frame['type']}\ndata: {encode_frame(frame)}\n\n"


class ChatHttp:
    def __init__(self, service: ChatService) -> None:
        self._service = service

    def guarded(self, endpoint: Endpoint) -> Endpoint:
        """The endpoint, behind the origin check, with errors answered as JSON."""

        async def answer(request: Request) -> Response:
            if not self._service.allows_origin(request.headers.get("origin")):
                return error_response("forbidden_origin", "origin not allowed")
            try:
                return await endpoint(request)
            except AuthError as exc:
                return error_response("unauthorized", str(exc), {"WWW-Authenticate": "Bearer"})
            except ClientDisconnect:
                # The client left mid-request: nobody to answer, nothing accepted.
                return Response(status_code=499)
            except RequestError as exc:
                retry = exc.retry_after_s
                headers = None if retry is None else {"Retry-After": str(max(1, math.ceil(retry)))}
                return error_response(exc.code, exc.message, headers)

        return answer

    async def init(self, request: Request) -> Response:
        body = await self._body(request, InitRequest)
        identity = self._bearer(request) or None  # a signed-in shopper's identity token
        grant = await self._service.open_session(body, identity)
        return JSONResponse(grant.as_json())

    async def sign_in(self, request: Request) -> Response:
        claims = self._claims(request)
        grant = await self._service.sign_in(claims, await self._body(request, SignInRequest))
        return JSONResponse(grant.as_json())

    async def messages(self, request: Request) -> Response:
        claims = self._claims(request)
        frame = await self._body(request, MessageFrame)
        turn_id = await self._service.send_message(claims, frame, "http")
        return JSONResponse({"turn_id": turn_id, "client_msg_id": frame.client_msg_id}, 202)

    async def feedback(self, request: Request) -> Response:
        claims = self._claims(request)
        await self._service.send_feedback(claims, await self._body(request, FeedbackFrame))
        return JSONResponse({"status": "accepted"}, 202)

    async def stream(self, request: Request) -> Response:
        claims = self._claims(request, query_token=True)
        return StreamingResponse(
            self._events(claims.session_id, resume_point(request.query_params)),
            media_type="text/event-stream",
            headers=SSE_HEADERS,
        )

    async def _events(self, session_id: str, resume: ResumePoint | None) -> AsyncIterator[str]:
        # Subscribed here, not in stream(): the generator's finally is what unsubscribes.
        hub = self._service.hub
        outbox = hub.subscribe(session_id, ready_frame(session_id), resume)
        try:
            while (frame := await self._next_or_heartbeat(outbox)) != "":
                yield frame
        finally:
            hub.unsubscribe(outbox)

    async def _next_or_heartbeat(self, outbox: Subscription) -> str:
        """The next event, a heartbeat comment (keeps proxies from closing), or "" at the end."""
        try:
            async with asyncio.timeout(self._service.settings.sse_heartbeat_s):
                frame = await outbox.next_frame()
        except TimeoutError:
            return ": heartbeat\n\n"
        return "" if frame is None else sse_event(frame)

    def _claims(self, request: Request, *, query_token: bool = False) -> SessionClaims:
        token = self._bearer(request)
        if not token and query_token:
            token = request.query_params.get("token", "").strip()
        return self._service.authenticate(token)

    @staticmethod
    def _bearer(request: Request) -> str:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return token.strip() if scheme.lower() == "bearer" else ""

    async def _body(self, request: Request, frame_type: type[F]) -> F:
        parser = self._service.parser
        declared = request.headers.get("content-length", "")
        if declared.isdigit():
            parser.check_size(int(declared))
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            parser.check_size(len(body))
        media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if body.strip() and media_type != "application/json":
            raise RequestError("unsupported_media_type", "send the body as application/json")
        return parser.parse_body(bytes(body), frame_type)
