from datetime import UTC, datetime

import pytest

from agents.fallback import error_reply
from agents.text import JAPANESE_RE
from schemas.events import Locale, derive_id

RECEIVED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(("locale", "apology"), [("ja", "申し訳ありません"), ("en", "Sorry")])
def test_error_reply_apologises_in_the_shoppers_language(locale: Locale, apology: str) -> None:
    reply = error_reply(
        session_id="session-1",
        turn_id="turn-1",
        received_ts=RECEIVED,
        error_code="stage_failed",
        locale=locale,
        parent_event_id="parent",
    )
    assert reply.text.startswith(apology)
    assert bool(JAPANESE_RE.search(reply.text)) == (locale == "ja")
    assert (reply.status, reply.path, reply.chunk_count) == ("error", "error", 0)
    assert reply.error_code == "stage_failed"
    assert reply.event_id == derive_id("parent", "error-stage_failed")
    assert (reply.session_id, reply.turn_id, reply.received_ts) == ("session-1", "turn-1", RECEIVED)
    assert (reply.intent, reply.sources, reply.guardrail_flags) == (None, (), ())


def test_each_error_code_gets_its_own_id() -> None:
    ids = {
        error_reply(
            session_id="s",
            turn_id="t",
            received_ts=RECEIVED,
            error_code=code,
            locale="en",
            parent_event_id="parent",
        ).event_id
        for code in ("timeout", "bad_input", "timeout")
    }
    assert len(ids) == 2
