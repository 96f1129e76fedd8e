"""Session tokens: HS256 JWTs that the bridge issues at ``/chat/init`` and checks on connect.

The claims carry everything the bridge needs about a session (its id, the user,
the locale), so any bridge instance can serve any session without shared state.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import jwt

from bridge.exceptions import AuthError
from bridge.settings import BridgeSettings
from mangaassist.errors import ConfigurationError
from schemas.events import Locale

logger = logging.getLogger(__name__)

ALGORITHM = "HS256"
ISSUER = "mangaassist-bridge"
MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key is at least as long as the hash
_LOCALES: tuple[Locale, ...] = ("ja", "en")


@dataclass(frozen=True)
class SessionClaims:
    session_id: str
    user_id: str | None
    expires_at: datetime
    locale: Locale | None = None


class TokenVerifier(Protocol):
    """Turns a bearer token into the claims of a session, or raises :class:`AuthError`."""

    def verify(self, token: str) -> SessionClaims: ...


class TokenIssuer:
    """Issues and verifies the bridge's own HMAC-signed session tokens."""

    def __init__(self, secret: str, ttl_s: int) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigurationError(f"the token secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self._ttl_s = ttl_s

    def issue(
        self, session_id: str, user_id: str | None = None, *, locale: Locale | None = None
    ) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": session_id,
            "iat": now,
            "exp": now + self._ttl_s,
        }
        if user_id is not None:
            claims["uid"] = user_id
        if locale is not None:
            claims["loc"] = locale
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> SessionClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "iss", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise AuthError("token expired") from exc
        except jwt.InvalidSignatureError as exc:
            raise AuthError("token signature is invalid") from exc
        except jwt.PyJWTError as exc:
            raise AuthError(f"token is invalid: {exc}") from exc
        locale = claims.get("loc")
        return SessionClaims(
            session_id=str(claims["sub"]),
            user_id=claims.get("uid"),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
            locale=locale if locale in _LOCALES else None,
        )


def issuer_from_settings(settings: BridgeSettings) -> TokenIssuer:
    if settings.token_secret is None:
        logger.warning(
            "MANGAASSIST_BRIDGE_TOKEN_SECRET is not set: using a random secret, "
            "so session tokens will not survive a restart of this bridge"
        )
        return TokenIssuer(secrets.token_urlsafe(MIN_SECRET_BYTES), settings.token_ttl_s)
    return TokenIssuer(settings.token_secret.get_secret_value(), settings.token_ttl_s)
