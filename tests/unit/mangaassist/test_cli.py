import json

import pytest

from connectors.kafka import free_loopback_port
from mangaassist.cli import main


def test_chat_against_no_bridge_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_loopback_port()}"
    assert main(["chat", "--url", url, "--once", "hello", "--timeout", "5"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mangaassist: error:")
    assert "Traceback" not in err


def test_settings_prints_every_variable(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["settings"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "MANGAASSIST_KAFKA_FETCH_MAX_WAIT_MS=5" in lines


def test_unknown_command_exits_with_usage() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["fly"])
    assert exit_info.value.code == 2


def test_search_catalog_prints_json_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search-catalog", "黄昏の王都の勇者 3巻", "--k", "2"]) == 0
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(hits) == 2
    assert all(hit["title_ja"] == "黄昏の王都の勇者　3巻" for hit in hits)


def test_search_catalog_without_a_match_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search-catalog", "zzzzqqqq"]) == 1
    assert "nothing in the catalog matches" in capsys.readouterr().err


def test_search_kb_prints_cited_passages(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search-kb", "沖縄への送料は？", "--k", "2"]) == 0
    passages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(passages) == 2
    assert {"doc_id", "chunk_id", "lang", "score", "title", "text"} <= set(passages[0])
    assert any(p["doc_id"].startswith("shipping") for p in passages)
