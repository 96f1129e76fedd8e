"""How a replay shows old and new replies (sentence diffs, two columns, the report); its env."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.llm.settings import LOCAL_MODEL, LlmSettings
from mangaassist.inspect.diff import (
    display_width,
    reply_lines,
    side_by_side,
    unified_reply_diff,
    wrap_cells,
)
from mangaassist.inspect.exceptions import ReplayError
from mangaassist.inspect.replay import (
    ReplayReport,
    Sandbox,
    TurnResult,
    parse_env,
    render_report,
    sandbox_env,
)
from schemas import ChatTurn, FinalReply, LlmCompletion
from streams.settings import KafkaSettings

OLD = (
    "Here is what I found. Unopened items can be returned within 30 days. [1] "
    "Refunds take 5 days. [1]\nSources: [1] kb:returns"
)
NEW = (
    "Here is what I found. Unopened items can be returned within 30 days. [1]\n"
    "Sources: [1] kb:returns"
)
RECEIVED = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def _turn(text: str = "Can I return a book?", turn_id: str = "t1") -> ChatTurn:
    return ChatTurn(session_id="s1", turn_id=turn_id, text=text, locale="en")


def _reply(text: str, turn_id: str = "t1", **changes: object) -> FinalReply:
    fields: dict[str, object] = {
        "session_id": "s1",
        "turn_id": turn_id,
        "status": "ok",
        "text": text,
        "chunk_count": 1,
        "path": "llm",
        "intent": "return_request",
        "received_ts": RECEIVED,
    }
    fields.update(changes)
    return FinalReply(**fields)  # type: ignore[arg-type]


def _completion(digest: str) -> LlmCompletion:
    return LlmCompletion(
        session_id="s1", turn_id="t1", model=LOCAL_MODEL, prompt_sha256=digest, text="x"
    )


def test_replies_are_cut_into_sentences_with_their_citations() -> None:
    assert reply_lines(OLD) == [
        "Here is what I found.",
        "Unopened items can be returned within 30 days. [1]",
        "Refunds take 5 days. [1]",
        "Sources: [1] kb:returns",
    ]
    assert reply_lines("送料は500円です。[1]沖縄は別です！\n\n出典：[1]") == [
        "送料は500円です。[1]",
        "沖縄は別です！",
        "",
        "出典：[1]",
    ]


def test_the_unified_diff_names_only_the_changed_sentence() -> None:
    assert unified_reply_diff(OLD, OLD) == []
    diff = unified_reply_diff(OLD, NEW)
    assert diff[:2] == ["--- original", "+++ replay"]
    assert [line for line in diff[2:] if line[0] in "+-"] == ["-Refunds take 5 days. [1]"]


def test_a_difference_in_spacing_alone_is_still_shown() -> None:
    diff = unified_reply_diff("Hello.  Bye.", "Hello. Bye.")
    assert "whitespace differs" in diff[-1]


def test_wide_characters_take_two_cells_and_rows_wrap_at_words() -> None:
    assert display_width("送料abc") == 7
    assert display_width("e\u0301") == 1  # a combining accent takes no cell
    assert wrap_cells("returned within thirty days", 12) == ["returned", "within", "thirty days"]
    assert wrap_cells("送料は五百円です", 6) == ["送料は", "五百円", "です"]
    with pytest.raises(ValueError, match="two cells"):
        wrap_cells("x", 1)


def test_side_by_side_marks_changed_removed_and_added_sentences() -> None:
    rows = side_by_side("A. B changed. C.", "A. B. C. D.", width=41)
    column = (41 - 3) // 2
    assert rows[0].startswith("original")
    assert rows[0].endswith("replay")
    body = rows[2:]
    assert body[0] == f"{'A.':<{column}}   A."
    assert body[1] == f"{'B changed.':<{column}} | B."
    assert body[2] == f"{'C.':<{column}}   C."
    assert body[3] == f"{'':<{column}} > D."
    assert side_by_side("X.", "", 41)[2].endswith("<")


def test_japanese_columns_line_up_by_cells_not_characters() -> None:
    rows = side_by_side("送料は500円です。", "送料は600円です。", width=43)
    left, right = rows[2].split(" | ")
    assert display_width(left) == (43 - 3) // 2
    assert (left.strip(), right) == ("送料は500円です。", "送料は600円です。")


def test_a_turn_is_identical_only_when_the_text_is_byte_for_byte_the_same() -> None:
    same = TurnResult(1, _turn(), _reply(OLD), _reply(OLD))
    assert same.identical
    assert same.notes() == []
    changed = TurnResult(
        2,
        _turn(),
        _reply(OLD, completion_tokens=80),
        _reply(NEW, completion_tokens=40, path="fallback"),
        _completion("a" * 64),
        _completion("b" * 64),
    )
    assert not changed.identical
    assert changed.notes() == [
        "path llm → fallback",
        "completion_tokens 80 → 40",
        "LLM prompt changed (answer played back by the question)",
    ]
    assert not TurnResult(3, _turn(), None, _reply(OLD)).identical
    assert TurnResult(4, _turn(), _reply(OLD), None).notes() == ["no reply in the sandbox"]


def _report(*turns: TurnResult, **fields: object) -> ReplayReport:
    report = ReplayReport(
        session_id="s1",
        sandbox_prefix="replay-abcd1234.",
        sandbox_app_id="replay-abcd1234",
        worker_log="var/replay/replay-abcd1234/worker-pipeline.log",
        kept=False,
        turns=list(turns),
        deleted_topics=["replay-abcd1234.chat.turns"],
    )
    for name, value in fields.items():
        setattr(report, name, value)
    return report


def test_the_report_shows_identical_turns_briefly_and_diffs_the_others() -> None:
    report = _report(
        TurnResult(1, _turn("hello", "t0"), _reply("Hi.", "t0"), _reply("Hi.", "t0")),
        TurnResult(2, _turn(), _reply(OLD), _reply(NEW)),
    )
    assert report.exit_code == 1
    text = "\n".join(render_report(report))
    assert "turn 1/2  en  'hello'" in text
    assert "  = identical (llm, 3 chars)" in text
    assert "  ≠ differs" in text
    assert "    -Refunds take 5 days. [1]" in text
    assert text.endswith(
        "1 of 2 replies identical, 1 different\n"
        "replayed in 0.0 s (sandbox worker ready in 0.0 s, total 0.0 s); "
        "sandbox topics deleted (1); worker log var/replay/replay-abcd1234/worker-pipeline.log"
    )
    columns = "\n".join(render_report(report, columns=True, width=80))
    assert "| " not in columns.split("turn 2/2")[0]
    assert "Refunds take 5 days. [1]" in columns
    assert "<" in columns


def test_exit_code_and_json_of_a_replay() -> None:
    identical = _report(TurnResult(1, _turn(), _reply(OLD), _reply(OLD)))
    assert identical.exit_code == 0
    data = identical.as_json()
    assert data["identical"] is True
    assert data["turns"][0]["diff"] == []
    assert data["turns"][0]["old"]["text"] == OLD
    assert data["sandbox"] == {
        "prefix": "replay-abcd1234.",
        "app_id": "replay-abcd1234",
        "kept": False,
        "deleted_topics": 1,
        "worker_log": "var/replay/replay-abcd1234/worker-pipeline.log",
    }
    skipped = _report(
        TurnResult(1, _turn(), _reply(OLD), _reply(OLD)),
        unreadable_turns=["chat.turns[1]@4: corrupt ChatTurn body"],
    )
    assert skipped.exit_code == 1
    assert "not replayed, cannot be decoded: chat.turns[1]@4" in "\n".join(render_report(skipped))
    assert _report().exit_code == 1  # nothing replayed is no success


def test_env_overrides_reach_the_worker_but_not_its_isolation() -> None:
    assert parse_env(["MANGAASSIST_LLM_MAX_TOKENS=20", "MANGAASSIST_X=a=b"]) == {
        "MANGAASSIST_LLM_MAX_TOKENS": "20",
        "MANGAASSIST_X": "a=b",
    }
    for pair, message in [
        ("MANGAASSIST_KAFKA_TOPIC_PREFIX=", "sets it itself"),
        ("MANGAASSIST_MEMORY_BACKEND=redis", "sets it itself"),
        ("MANGAASSIST_HANDOFF_REDIS_URL=redis://prod:6379/0", "sets it itself"),
        ("LLM_MAX_TOKENS=20", "only MANGAASSIST_ settings"),
        ("MANGAASSIST_LLM_MAX_TOKENS", "expected KEY=VALUE"),
    ]:
        with pytest.raises(ReplayError, match=message):
            parse_env([pair])


def test_the_sandbox_worker_is_isolated_and_asks_for_the_models_that_answered() -> None:
    kafka = KafkaSettings(bootstrap_servers="broker:9092")
    sandbox = kafka.model_copy(update={"topic_prefix": "replay-1.", "app_id": "replay-1"})
    env = sandbox_env(
        kafka, sandbox, Path("/tmp/rec.jsonl"), {"MANGAASSIST_LLM_MAX_TOKENS": "9"}, LlmSettings()
    )
    assert env["MANGAASSIST_KAFKA_TOPIC_PREFIX"] == "replay-1."
    assert env["MANGAASSIST_KAFKA_APP_ID"] == "replay-1"
    assert env["MANGAASSIST_KAFKA_BOOTSTRAP_SERVERS"] == "broker:9092"
    assert env["MANGAASSIST_MEMORY_BACKEND"] == "inprocess"
    assert env["MANGAASSIST_ANALYTICS_TRANSPORT"] == "kafka"
    assert env["MANGAASSIST_LLM_CACHE_ENABLED"] == "false"
    assert env["MANGAASSIST_HANDOFF_BACKEND"] == "local"
    assert (env["MANGAASSIST_LLM_PROVIDER"], env["MANGAASSIST_LLM_REPLAY_RECORDINGS"]) == (
        "replay",
        "/tmp/rec.jsonl",
    )
    assert env["MANGAASSIST_LLM_SMALL_MODEL"] == env["MANGAASSIST_LLM_LARGE_MODEL"] == LOCAL_MODEL
    assert env["MANGAASSIST_LLM_MAX_TOKENS"] == "9"
    bedrock = LlmSettings(provider="bedrock")
    env = sandbox_env(kafka, sandbox, Path("r"), {}, bedrock)
    assert env["MANGAASSIST_LLM_LARGE_MODEL"] == bedrock.large_model


def test_the_sandbox_worker_does_not_inherit_a_shared_hand_off_queue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("MANGAASSIST_HANDOFF_REDIS_URL", "redis://production:6379/0")
    monkeypatch.setenv("MANGAASSIST_CATALOG_SETTING", "kept")
    sandbox = Sandbox(KafkaSettings(), tmp_path, sandbox_id="abcd1234")
    assert (sandbox.prefix, sandbox.app_id) == ("replay-abcd1234.", "replay-abcd1234")
    assert sandbox.kafka.topic_prefix == "replay-abcd1234."
    worker = sandbox.worker_process({"MANGAASSIST_KAFKA_APP_ID": "replay-abcd1234"})
    assert "MANGAASSIST_HANDOFF_REDIS_URL" not in worker.env
    assert worker.env["MANGAASSIST_CATALOG_SETTING"] == "kept"
    assert worker.env["MANGAASSIST_KAFKA_APP_ID"] == "replay-abcd1234"
    assert worker.log_path == tmp_path / "replay-abcd1234" / "worker-pipeline.log"
    assert sandbox.owns("replay-abcd1234.chat.turns")
    assert sandbox.owns("replay-abcd1234-pipeline-__assignor-__leader")
    assert not sandbox.owns("chat.turns")
    assert not sandbox.owns("replay-abcd12345.chat.turns")
