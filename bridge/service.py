"""What the bridge does for a client, whichever transport it came in on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bridge.auth import SessionClaims, TokenIssuer, TokenVerifier
from bridge.exceptions import AuthError, RequestError
from bridge.frames import (
    FeedbackFrame,
    FrameParser,
    InitRequest,
    MessageFrame,
    SignInRequest,
    ack_frame,
)
from bridge.hub import SessionHub, Subscription
from bridge.identity import IdentityVerifier
from bridge.kafka import EventPublisher
from bridge.ratelimit import RateLimiter, bucket_keys
from bridge.settings import BridgeSettings
from schemas import ChatTurn, Event, Feedback, SessionEvent
from schemas.events import Locale, new_id
from streams.exceptions import StreamsError
from streams.topics import FEEDBACK, SESSIONS, TURNS, TopicSpec

Channel = Literal["ws", "http"]


@dataclass(frozen=True)
class SessionGrant:
    session_id: str
    token: str
    expires_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "token": self.token,
            "expires_at": self.expires_at.isoformat().replace("+00:00", "Z"),
        }


class ChatService:
    def __init__(
        self,
        settings: BridgeSettings,
        issuer: TokenIssuer,
        publisher: EventPublisher,
        hub: SessionHub,
        limiter: RateLimiter,
        identities: IdentityVerifier,
        *,
        verifier: TokenVerifier | None = None,
    ) -> None:
        self.settings = settings
        self.hub = hub
        self.parser = FrameParser(
            max_text_chars=settings.max_text_chars, max_frame_bytes=settings.max_frame_bytes
        )
        self._issuer = issuer
        self._verifier = verifier or issuer
        self._publisher = publisher
        self._limiter = limiter
        self._identities = identities

    def allows_origin(self, origin: str | None) -> bool:
        # Browsers always send Origin; other clients cannot be hijacked by a web page.
        allowed = self.settings.allowed_origins
        return not allowed or origin is None or origin in allowed

    def authenticate(self, token: str | None) -> SessionClaims:
        if not token:
            raise AuthError("missing token")
        return self._verifier.verify(token)

    async def open_session(
        self, request: InitRequest, identity_token: str | None = None
    ) -> SessionGrant:
        """A guest session, or a signed-in one when an identity token comes with it."""
        user_id = self._identities.verify(identity_token).user_id if identity_token else None
        locale = request.locale or self.settings.default_locale
        return await self._grant(new_id(), user_id, locale, "created")

    async def sign_in(self, claims: SessionClaims, request: SignInRequest) -> SessionGrant:
        """The same session (and conversation), now tied to the signed-in user."""
        user_id = self._identities.verify(request.identity_token).user_id
        if claims.user_id not in (None, user_id):
            raise AuthError("this session belongs to another user")
        locale = claims.locale or self.settings.default_locale
        return await self._grant(claims.session_id, user_id, locale, "authenticated")

    async def _grant(
        self,
        session_id: str,
        user_id: str | None,
        locale: Locale,
        kind: Literal["created", "authenticated"],
    ) -> SessionGrant:
        token = self._issuer.issue(session_id, user_id, locale=locale)
        event = SessionEvent(
            session_id=session_id,
            turn_id="",
            kind=kind,
            user_id=user_id,
            locale=locale,
            channel="http",
        )
        await self._publish(SESSIONS, event)
        return SessionGrant(session_id, token, self._issuer.verify(token).expires_at)

    async def send_message(
        self,
        claims: SessionClaims,
        frame: MessageFrame,
        channel: Channel,
        reply_to: Subscription | None = None,
    ) -> str:
        """Publish a turn and return its id; the ack reaches ``reply_to`` before any reply."""
        decision = await self._limiter.acquire(bucket_keys(claims.session_id, claims.user_id))
        if not decision.allowed:
            raise RequestError(
                "rate_limited",
                f"too many messages: try again in {decision.retry_after_s:.1f} s",
                client_msg_id=frame.client_msg_id,
                retry_after_s=decision.retry_after_s,
            )
        turn = ChatTurn(
            session_id=claims.session_id,
            turn_id=new_id(),
            user_id=claims.user_id,
            locale=frame.locale or claims.locale or self.settings.default_locale,
            channel=channel,
            text=frame.text.strip(),
            client_msg_id=frame.client_msg_id,
        )
        self.hub.begin_turn(turn.session_id, turn.turn_id)
        try:
            await self._publish(TURNS, turn, client_msg_id=frame.client_msg_id)
        except BaseException:  # also cancellation: the turn must not stay pending
            self.hub.abandon_turn(turn.session_id, turn.turn_id)
            raise
        if reply_to is not None:
            reply_to.offer(ack_frame(turn.turn_id, turn.client_msg_id))
        self.hub.confirm_turn(turn.session_id, turn.turn_id)
        return turn.turn_id

    async def send_feedback(self, claims: SessionClaims, frame: FeedbackFrame) -> None:
        feedback = Feedback(
            session_id=claims.session_id,
            turn_id=frame.turn_id,
            rating=frame.rating,
            comment=frame.comment,
        )
        await self._publish(FEEDBACK, feedback)

    async def _publish(
        self, spec: TopicSpec, event: Event, *, client_msg_id: str | None = None
    ) -> None:
        try:
            await self._publisher.publish(spec, event)
        except StreamsError as exc:
            raise RequestError(
                "unavailable",
                "the chat service is unavailable; try again shortly",
                client_msg_id=client_msg_id,
            ) from exc
