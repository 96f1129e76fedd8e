"""LLM figures reach the views for replies the LLM wrote, and only for those."""

from pathlib import Path

import pytest

from analytics import DuckDBSink, to_row
from analytics.model import install_model, query_view
from schemas import ChatTurn
from streams.topics import RESPONSES, TURNS
from tests.unit.analytics.test_model_views import DAY1, at, final_reply


def test_tokens_and_cost_of_llm_replies_add_up_per_conversation(tmp_path: Path) -> None:
    received = at(DAY1, "09:00")
    rows = [
        to_row(TURNS.name, ChatTurn(session_id="s", turn_id=t, ts=received, text="送料は？"))
        for t in ("t1", "t2")
    ]
    llm = {"path": "llm", "llm_model": "small", "prompt_tokens": 300, "completion_tokens": 60}
    rows.append(
        to_row(RESPONSES.name, final_reply("s/t1", received, 50, ok=True, **llm, cost_usd=0.002))
    )
    rows.append(to_row(RESPONSES.name, final_reply("s/t2", received, 40, ok=True)))
    with DuckDBSink(tmp_path / "a.duckdb") as sink:
        sink.setup()
        sink.write(rows)
        install_model(sink)
        replies = {r["turn_id"]: r for r in query_view(sink, "chat_replies")}
        [cost] = query_view(sink, "llm_cost_per_conversation")
    assert (replies["t1"]["llm_model"], replies["t1"]["prompt_tokens"]) == ("small", 300)
    assert replies["t2"]["cost_usd"] is None  # a template reply costs no LLM call
    assert cost["llm_replies"] == 1
    assert (cost["prompt_tokens"], cost["completion_tokens"]) == (300, 60)
    assert cost["cost_per_conversation"] == pytest.approx(0.002)
