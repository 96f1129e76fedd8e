"""Operator tool pieces that need no broker: progress bar, dead-letter table, redrive input."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from mangaassist.cli import build_parser
from mangaassist.inspect.deadletters import (
    DeadLetterEntry,
    DeadLetterQuery,
    RedriveSend,
    load_replacement,
    render_table,
)
from mangaassist.inspect.errors import InspectionError as OldName
from mangaassist.inspect.exceptions import InspectionError, NothingFound, RedriveError
from mangaassist.inspect.progress import ProgressBar, render_bar
from schemas import ChatTurn, DeadLetter, default_codec
from streams.topics import TURN_ID_HEADER

LETTER = DeadLetter(
    event_id="d" * 32,
    session_id="s-1",
    turn_id="bad-turn",
    ts=datetime(2026, 11, 21, 10, 5, 7, tzinfo=UTC),
    stage="intent",
    source_topic="chat.turns",
    source_partition=2,
    source_offset=17,
    error_type="DecodeError",
    error_message="cannot resolve schema id 7:\n  no schema with id 7",
    payload=b"\x00\x00\x00\x00\x07garbage",
)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_bar_shows_share_and_counts() -> None:
    assert render_bar("dump", 0, 10, "records", width=10) == "[dump] ░░░░░░░░░░   0% 0/10 records"
    assert render_bar("dump", 5, 10, "records", width=10) == "[dump] █████░░░░░  50% 5/10 records"
    assert render_bar("dump", 1234, 0, "records") == "[dump] 1,234 records"


def test_the_bar_redraws_in_place_at_most_every_interval_and_always_at_the_end() -> None:
    out, clock = io.StringIO(), Clock()
    bar = ProgressBar("replay", "turns", stream=out, enabled=True, clock=clock)
    bar.update(1, 4)
    bar.update(2, 4)  # too soon: skipped
    clock.now = 1.0
    bar.update(4, 4)
    bar.say("sandbox ready")
    bar.finish()
    text = out.getvalue()
    assert text.count("% ") == 2  # two bars drawn
    assert "2/4" not in text
    assert "4/4 turns" in text
    assert "[replay] sandbox ready\n" in text


def test_without_a_terminal_there_is_no_bar_only_the_lines_said() -> None:
    out = io.StringIO()  # not a tty
    bar = ProgressBar("dump", "records", stream=out)
    bar.update(5, 10)
    bar.say("hello")
    bar.finish()
    assert out.getvalue() == "[dump] hello\n"


def test_dead_letters_list_as_a_table_and_as_json() -> None:
    entry = DeadLetterEntry(LETTER, partition=1, offset=3)
    header, row = render_table([entry])
    assert header.split() == ["time", "(UTC)", "stage", "source", "event", "id", "error"]
    assert row.startswith("2026-11-21 10:05:07  intent     chat.turns[2]@17")
    assert row.endswith(f"{'d' * 32}  DecodeError: cannot resolve schema id 7: no schema with id 7")
    [_, short] = render_table([entry], error_chars=20)
    assert short.endswith("DecodeError: cannot…")
    data = entry.as_json()
    assert data["source_offset"] == 17
    assert data["payload_bytes"] == len(LETTER.payload)
    assert (data["deadletter_partition"], data["deadletter_offset"]) == (1, 3)
    json.dumps(data)


def test_a_redrive_says_what_goes_where() -> None:
    send = RedriveSend(
        [DeadLetterEntry(LETTER, 1, 3)],
        "chat.turns",
        LETTER.payload,
        b"s-1",
        [(TURN_ID_HEADER, b"bad-turn")],
        "the original record chat.turns[2]@17",
        None,
    )
    assert send.describe() == [
        f"chat.turns ← dead letter {'d' * 32} (intent)",
        "  undecodable payload, 12 bytes, key s-1, headers turn_id=bad-turn",
        "  key and headers: the original record chat.turns[2]@17",
    ]
    assert send.as_json()["headers"] == {"turn_id": "bad-turn"}
    assert send.as_json()["sent_to"] is None


def test_a_corrected_payload_is_read_from_a_dump_line(tmp_path: Path) -> None:
    codec = default_codec()
    turn = ChatTurn(session_id="s-1", turn_id="bad-turn", text="hello", locale="en")
    path = tmp_path / "fixed.json"
    path.write_text(
        json.dumps({"event_type": "ChatTurn", "event": turn.model_dump(mode="json")}),
        encoding="utf-8",
    )
    assert load_replacement(path, codec) == turn
    for content, message in [
        ("{", "is not JSON"),
        ('{"event_type": "ChatTurn"}', "expected"),
        ('{"event_type": "Nope", "event": {}}', "unknown event_type 'Nope'"),
        ('{"event_type": "ChatTurn", "event": {"text": ""}}', "not a valid ChatTurn"),
    ]:
        path.write_text(content, encoding="utf-8")
        with pytest.raises(RedriveError, match=message):
            load_replacement(path, codec)
    with pytest.raises(RedriveError, match="cannot read"):
        load_replacement(tmp_path / "missing.json", codec)


def test_errors_derive_from_one_root_the_cli_turns_into_exit_2() -> None:
    assert OldName is InspectionError
    assert issubclass(NothingFound, InspectionError)
    assert DeadLetterQuery(stage="intent").filtered
    assert not DeadLetterQuery().filtered


def test_the_new_commands_parse() -> None:
    parser = build_parser()
    args = parser.parse_args(
        ["replay", "s-1", "--env", "MANGAASSIST_LLM_MAX_TOKENS=20", "--keep", "--json"]
    )
    assert (args.session_id, args.env, args.keep, args.json) == (
        "s-1",
        ["MANGAASSIST_LLM_MAX_TOKENS=20"],
        True,
        True,
    )
    args = parser.parse_args(["deadletters", "--stage", "intent", "--since", "2026-11-21"])
    assert args.since == datetime(2026, 11, 21, tzinfo=UTC)
    args = parser.parse_args(["redrive", "a", "b", "--dry-run"])
    assert (args.event_ids, args.dry_run, args.yes) == (["a", "b"], True, False)
    with pytest.raises(SystemExit):
        parser.parse_args(["replay", "s-1", "--env", "NOEQUALS"])
