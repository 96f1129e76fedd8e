"""Who a shopper is: identity tokens from the store's sign-in, turned into a user id.

Production verifies the identity provider's RS256 ID tokens (Amazon Cognito or
any OIDC provider) against its JWKS. Locally, a development identity provider
signs HS256 tokens with ``MANGAASSIST_BRIDGE_IDENTITY_SECRET`` and
``mangaassist login-token USER`` mints them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

import jwt

from bridge.exceptions import AuthError
from bridge.settings import BridgeSettings
from mangaassist.errors import ConfigurationError

LOCAL_ISSUER = "mangaassist-dev-idp"
AUDIENCE = "mangaassist"
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class Identity:
    user_id: str


class IdentityVerifier(Protocol):
    def verify(self, token: str) -> Identity:
        """The identity a token proves, or :class:`AuthError`."""
        ...


def _identity(claims: dict[str, Any]) -> Identity:
    user_id = str(claims.get("sub") or "")
    if not user_id:
        raise AuthError("identity token names no user")
    return Identity(user_id)


def _decode(token: str, key: Any, algorithm: str, issuer: str, audience: str) -> dict[str, Any]:
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            issuer=issuer,
            audience=audience,
            options={"require": ["exp", "iss", "sub", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise AuthError("identity token expired") from exc
    except jwt.PyJWTError as exc:
        raise AuthError(f"identity token is invalid: {exc}") from exc
    return claims


class LocalIdentityProvider:
    """The development identity provider: issues and verifies HS256 identity tokens."""

    def __init__(self, secret: str) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigurationError(
                f"the identity secret must be at least {MIN_SECRET_BYTES} bytes"
            )
        self._secret = secret

    def issue(self, user_id: str, ttl_s: int = 3600) -> str:
        now = int(time.time())
        claims = {
            "iss": LOCAL_ISSUER,
            "aud": AUDIENCE,
            "sub": user_id,
            "iat": now,
            "exp": now + ttl_s,
        }
        return jwt.encode(claims, self._secret, algorithm="HS256")

    def verify(self, token: str) -> Identity:
        return _identity(_decode(token, self._secret, "HS256", LOCAL_ISSUER, AUDIENCE))


class JwksIdentityVerifier:
    """Verifies RS256 ID tokens against the provider's published keys (cached by PyJWT)."""

    def __init__(self, jwks: jwt.PyJWKClient, issuer: str, audience: str) -> None:
        self._jwks = jwks
        self._issuer = issuer
        self._audience = audience

    def verify(self, token: str) -> Identity:
        try:
            key = self._jwks.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientError as exc:
            raise AuthError(f"cannot check the identity token's signature: {exc}") from exc
        except jwt.PyJWTError as exc:
            raise AuthError(f"identity token is invalid: {exc}") from exc
        return _identity(_decode(token, key, "RS256", self._issuer, self._audience))


class NoSignIn:
    """Guests only: no identity provider is configured."""

    def verify(self, token: str) -> Identity:
        raise AuthError("sign-in is not configured on this bridge")


def identity_from_settings(settings: BridgeSettings) -> IdentityVerifier:
    if settings.jwks_url:
        if not (settings.identity_issuer and settings.identity_audience):
            raise ConfigurationError(
                "MANGAASSIST_BRIDGE_JWKS_URL needs MANGAASSIST_BRIDGE_IDENTITY_ISSUER "
                "and MANGAASSIST_BRIDGE_IDENTITY_AUDIENCE"
            )
        return JwksIdentityVerifier(
            jwt.PyJWKClient(settings.jwks_url), settings.identity_issuer, settings.identity_audience
        )
    if settings.identity_secret is not None:
        return LocalIdentityProvider(settings.identity_secret.get_secret_value())
    return NoSignIn()
