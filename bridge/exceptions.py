"""Errors of the chat bridge."""

from typing import Literal

from mangaassist.errors import MangaAssistError

ErrorCode = Literal[
    "bad_json",
    "unknown_type",
    "invalid_message",
    "empty_text",
    "text_too_long",
    "frame_too_large",
    "binary_not_supported",
    "unsupported_media_type",
    "unauthorized",
    "forbidden_origin",
    "unavailable",
    "timeout",
    "rate_limited",
]
"""Every ``code`` an error frame or an HTTP error body can carry (see docs/protocol.md)."""


class BridgeError(MangaAssistError):
    """Base class for errors of the chat bridge."""


class AuthError(BridgeError):
    """A session token is missing, malformed, forged or expired."""


class RequestError(BridgeError):
    """A client request the bridge refuses, answered with an error frame or body."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        client_msg_id: str | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message
        self.client_msg_id = client_msg_id
        self.retry_after_s = retry_after_s
