"""The JSON frames of the chat protocol (docs/protocol.md): parsing what clients send,
building what the bridge sends. The WebSocket and the HTTP fallback share both.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bridge.exceptions import ErrorCode, RequestError
from schemas import FinalReply, ReplyChunk
from schemas.events import Locale

Frame = dict[str, Any]
# C0 controls but tab and newlines, DEL, C1 controls, and lone surrogates (JSON can
# smuggle those in as \ud800 escapes; they are not text and cannot be stored as UTF-8).
_FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
F = TypeVar("F", bound=BaseModel)


class _ClientFrame(BaseModel):
    # Unknown fields are refused: a misspelt field must not be silently dropped.
    model_config = ConfigDict(extra="forbid", frozen=True)


class MessageFrame(_ClientFrame):
    type: Literal["message"] = "message"
    text: str
    client_msg_id: str | None = Field(default=None, min_length=1, max_length=64)
    locale: Locale | None = None


class FeedbackFrame(_ClientFrame):
    type: Literal["feedback"] = "feedback"
    turn_id: str = Field(min_length=1, max_length=64)
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=2000)


class PingFrame(_ClientFrame):
    type: Literal["ping"] = "ping"


class AuthFrame(_ClientFrame):
    type: Literal["auth"] = "auth"
    token: str = Field(min_length=1)


class InitRequest(_ClientFrame):
    locale: Locale | None = None


class SignInRequest(_ClientFrame):
    identity_token: str = Field(min_length=1, max_length=8192)


ClientFrame = MessageFrame | FeedbackFrame | PingFrame | AuthFrame

_FRAME_TYPES: dict[str, type[ClientFrame]] = {
    "message": MessageFrame,
    "feedback": FeedbackFrame,
    "ping": PingFrame,
    "auth": AuthFrame,
}


class FrameParser:
    """Checks client input against the protocol and the size limits.

    Every refusal is a :class:`RequestError` whose code names what was wrong.
    """

    def __init__(self, *, max_text_chars: int, max_frame_bytes: int) -> None:
        self.max_text_chars = max_text_chars
        self.max_frame_bytes = max_frame_bytes

    def parse_text(self, raw: str) -> ClientFrame:
        """A WebSocket text frame: any client frame, told apart by its ``type``."""
        data = self._load(raw.encode())
        kind = data.get("type")
        if not isinstance(kind, str):
            raise RequestError("invalid_message", 'a frame needs a string "type"')
        frame_type = _FRAME_TYPES.get(kind)
        if frame_type is None:
            raise RequestError("unknown_type", f"unknown frame type {kind[:40]!r}")
        return self._validate(frame_type, data)

    def parse_body(self, raw: bytes, frame_type: type[F]) -> F:
        """An HTTP body: the frame's fields; its type is implied by the endpoint."""
        data = self._load(raw) if raw.strip() else {}
        return self._validate(frame_type, data)

    def check_size(self, size: int) -> None:
        if size > self.max_frame_bytes:
            raise RequestError(
                "frame_too_large", f"frames are limited to {self.max_frame_bytes} bytes"
            )

    def _load(self, raw: bytes) -> dict[str, Any]:
        self.check_size(len(raw))
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise RequestError("bad_json", f"not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise RequestError("invalid_message", "a frame is a JSON object")
        return data

    def _validate(self, frame_type: type[F], data: dict[str, Any]) -> F:
        data.pop("type", None)
        try:
            frame = frame_type.model_validate(data)
        except ValidationError as exc:
            raise RequestError("invalid_message", _describe(exc)) from exc
        if isinstance(frame, MessageFrame):
            self._check_text(frame)
        return frame

    def _check_text(self, frame: MessageFrame) -> None:
        if _FORBIDDEN_CHARS.search(frame.text):
            raise RequestError(
                "invalid_message",
                "text: control characters and lone surrogates are not allowed",
                client_msg_id=frame.client_msg_id,
            )
        if not frame.text.strip():
            raise RequestError(
                "empty_text", "the message text is empty", client_msg_id=frame.client_msg_id
            )
        if len(frame.text) > self.max_text_chars:
            raise RequestError(
                "text_too_long",
                f"messages are limited to {self.max_text_chars} characters",
                client_msg_id=frame.client_msg_id,
            )


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "frame"
    return f"{where}: {first['msg']}"


def ready_frame(session_id: str) -> Frame:
    return {"type": "ready", "session_id": session_id}


def ack_frame(turn_id: str, client_msg_id: str | None) -> Frame:
    return {"type": "ack", "turn_id": turn_id, "client_msg_id": client_msg_id}


def pong_frame() -> Frame:
    return {"type": "pong"}


def error_frame(
    code: ErrorCode, message: str, *, turn_id: str | None = None, client_msg_id: str | None = None
) -> Frame:
    frame: Frame = {"type": "error", "code": code, "message": message}
    if turn_id is not None:
        frame["turn_id"] = turn_id
    if client_msg_id is not None:
        frame["client_msg_id"] = client_msg_id
    return frame


def request_error_frame(exc: RequestError) -> Frame:
    frame = error_frame(exc.code, exc.message, client_msg_id=exc.client_msg_id)
    if exc.retry_after_s is not None:
        frame["retry_after_s"] = round(exc.retry_after_s, 3)
    return frame


def reply_frame(event: ReplyChunk | FinalReply) -> Frame:
    if isinstance(event, ReplyChunk):
        return {"type": "chunk", "turn_id": event.turn_id, "seq": event.seq, "text": event.text}
    return {
        "type": "final",
        "turn_id": event.turn_id,
        "status": event.status,
        "text": event.text,
        "intent": event.intent,
        "path": event.path,
        "sources": list(event.sources),
        "chunk_count": event.chunk_count,
        "error_code": event.error_code,
    }


def encode_frame(frame: Frame) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
