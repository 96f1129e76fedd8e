"""The shard reader as a command (``reader_main``), in a process of its own against moto."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analytics import DuckDBSink
from connectors.kinesis import KinesisProducer
from tests.integration.connectors.conftest import FAKE_CREDENTIALS, REGION
from tests.unit.connectors.kinesis.helpers import chat_turn, make_codec

REPO = Path(__file__).resolve().parents[4]
COMMAND = "from connectors.kinesis.reader import reader_main; raise SystemExit(reader_main())"


def run_reader(
    moto_endpoint: str, stream: str, tmp_path: Path, *arguments: str
) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("MANGAASSIST_")}
    env |= {
        "AWS_ACCESS_KEY_ID": FAKE_CREDENTIALS["aws_access_key_id"],
        "AWS_SECRET_ACCESS_KEY": FAKE_CREDENTIALS["aws_secret_access_key"],
        "MANGAASSIST_KINESIS_REGION": REGION,
        "MANGAASSIST_KINESIS_ENDPOINT_URL": moto_endpoint,
        "MANGAASSIST_KINESIS_STREAM_NAME": stream,
        "MANGAASSIST_KINESIS_SHARDS": "2",
        "MANGAASSIST_KINESIS_CHECKPOINT_PATH": str(tmp_path / "checkpoints.json"),
        "MANGAASSIST_WAREHOUSE_DUCKDB_PATH": str(tmp_path / "warehouse.duckdb"),
    }
    return subprocess.run(
        [sys.executable, "-c", COMMAND, *arguments],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_the_command_drains_the_stream_and_resumes_from_its_checkpoints(
    kinesis: Any, make_stream: Callable[[int], str], moto_endpoint: str, tmp_path: Path
) -> None:
    stream = make_stream(2)
    producer = KinesisProducer(kinesis, stream, codec=make_codec())
    for number in range(30):
        await producer.send(chat_turn(number))
    await producer.aclose()

    first = run_reader(moto_endpoint, stream, tmp_path, "--drain")
    assert first.returncode == 0, first.stderr
    assert "30 records read, 30 new rows" in first.stderr
    checkpoints = json.loads((tmp_path / "checkpoints.json").read_text())
    assert set(checkpoints[stream]) == {"shardId-000000000000", "shardId-000000000001"}

    again = run_reader(moto_endpoint, stream, tmp_path, "--drain")
    assert again.returncode == 0, again.stderr
    assert "0 records read, 0 new rows" in again.stderr
    with DuckDBSink(tmp_path / "warehouse.duckdb") as sink:
        assert sink.count() == 30


def test_the_command_can_create_a_local_stream(
    kinesis: Any, moto_endpoint: str, tmp_path: Path
) -> None:
    stream = f"events-{uuid.uuid4().hex[:12]}"
    done = run_reader(moto_endpoint, stream, tmp_path, "--create-stream", "--drain")
    try:
        assert done.returncode == 0, done.stderr
        assert len(kinesis.list_shards(StreamName=stream)["Shards"]) == 2
    finally:
        kinesis.delete_stream(StreamName=stream)
