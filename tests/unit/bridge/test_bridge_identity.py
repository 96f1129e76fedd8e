"""Sign-in: guest and signed-in sessions, signing in mid-conversation, JWKS verification."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bridge.exceptions import AuthError
from bridge.identity import AUDIENCE, JwksIdentityVerifier, LocalIdentityProvider, NoSignIn
from schemas import SessionEvent

IDP_SECRET = "i" * 40
IDP = LocalIdentityProvider(IDP_SECRET)


def test_local_identity_tokens_round_trip_and_expire() -> None:
    assert IDP.verify(IDP.issue("user-001")).user_id == "user-001"
    with pytest.raises(AuthError, match="expired"):
        IDP.verify(IDP.issue("user-001", ttl_s=-10))
    with pytest.raises(AuthError, match="invalid"):
        LocalIdentityProvider("j" * 40).verify(IDP.issue("user-001"))


def test_without_an_identity_provider_nobody_signs_in() -> None:
    with pytest.raises(AuthError, match="not configured"):
        NoSignIn().verify(IDP.issue("user-001"))


def test_init_with_an_identity_token_opens_a_signed_in_session(make_bridge):
    bridge = make_bridge(identity_secret=IDP_SECRET)
    response = bridge.client.post("/chat/init", json={}, headers=bridge.bearer(IDP.issue("u7")))
    claims = bridge.issuer.verify(response.json()["token"])
    assert claims.user_id == "u7"
    assert bridge.publisher.events(SessionEvent)[-1].user_id == "u7"


def test_a_guest_who_signs_in_keeps_the_conversation(make_bridge):
    bridge = make_bridge(identity_secret=IDP_SECRET)
    guest = bridge.init(locale="en")
    body = {"identity_token": IDP.issue("u7")}
    response = bridge.client.post("/chat/login", json=body, headers=bridge.bearer(guest["token"]))
    assert response.status_code == 200
    claims = bridge.issuer.verify(response.json()["token"])
    assert (claims.session_id, claims.user_id, claims.locale) == (guest["session_id"], "u7", "en")
    event = bridge.publisher.events(SessionEvent)[-1]
    assert (event.kind, event.session_id, event.user_id) == (
        "authenticated",
        guest["session_id"],
        "u7",
    )


def test_a_session_cannot_change_hands_or_take_a_bad_identity(make_bridge):
    bridge = make_bridge(identity_secret=IDP_SECRET)
    signed_in = bridge.client.post("/chat/init", json={}, headers=bridge.bearer(IDP.issue("u7")))
    auth = bridge.bearer(signed_in.json()["token"])
    other_user = bridge.client.post(
        "/chat/login", json={"identity_token": IDP.issue("u8")}, headers=auth
    )
    forged = bridge.client.post("/chat/login", json={"identity_token": "x.y.z"}, headers=auth)
    assert (other_user.status_code, forged.status_code) == (401, 401)
    assert "another user" in other_user.json()["error"]["message"]


def test_sign_in_is_refused_clearly_when_not_configured(bridge):
    guest = bridge.init()
    response = bridge.client.post(
        "/chat/login",
        json={"identity_token": IDP.issue("u7")},
        headers=bridge.bearer(guest["token"]),
    )
    assert response.status_code == 401
    assert "not configured" in response.json()["error"]["message"]


@pytest.fixture(scope="module")
def jwks_server() -> Iterator[tuple[str, rsa.RSAPrivateKey]]:
    """A real HTTP server publishing one RSA key, as an identity provider does."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    body = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json", key
    server.shutdown()
    server.server_close()


def rs256(key: rsa.RSAPrivateKey, **claims: object) -> str:
    now = int(time.time())
    payload = {"iss": "https://idp.example", "aud": AUDIENCE, "iat": now, "exp": now + 60, **claims}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


def test_jwks_verification_of_rs256_id_tokens(jwks_server: tuple[str, rsa.RSAPrivateKey]) -> None:
    url, key = jwks_server
    verifier = JwksIdentityVerifier(jwt.PyJWKClient(url), "https://idp.example", AUDIENCE)
    assert verifier.verify(rs256(key, sub="cognito-user-1")).user_id == "cognito-user-1"
    with pytest.raises(AuthError):
        verifier.verify(rs256(key, sub="u", aud="another-app"))
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError):
        verifier.verify(rs256(stranger, sub="u"))
