"""Session tokens."""

import logging

import pytest

from bridge.auth import TokenIssuer, issuer_from_settings
from bridge.exceptions import AuthError
from bridge.settings import BridgeSettings
from mangaassist.errors import ConfigurationError

SECRET = "a-test-secret-of-at-least-thirty-two-bytes"


def test_issued_token_verifies_to_its_claims():
    claims = TokenIssuer(SECRET, 60).verify(TokenIssuer(SECRET, 60).issue("s1", "u1", locale="en"))
    assert (claims.session_id, claims.user_id, claims.locale) == ("s1", "u1", "en")
    assert claims.expires_at.tzinfo is not None


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (TokenIssuer(SECRET, -60).issue("s1"), "token expired"),
        (TokenIssuer("x" * 40, 60).issue("s1"), "token signature is invalid"),
        ("not.a.token", "token is invalid"),
    ],
)
def test_bad_tokens_raise_auth_error(token, reason):
    with pytest.raises(AuthError, match=reason) as raised:
        TokenIssuer(SECRET, 60).verify(token)
    assert raised.value.__cause__ is not None


def test_short_secret_is_a_configuration_error():
    with pytest.raises(ConfigurationError):
        TokenIssuer("short", 60)


def test_missing_secret_means_a_random_one_and_a_warning(caplog):
    with caplog.at_level(logging.WARNING, logger="bridge.auth"):
        first = issuer_from_settings(BridgeSettings(token_secret=None))
        second = issuer_from_settings(BridgeSettings(token_secret=None))
    assert "will not survive a restart" in caplog.text
    with pytest.raises(AuthError):
        second.verify(first.issue("s1"))
