"""The shard reader's checkpoint file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors.kinesis import SHARD_END, FileCheckpointStore, KinesisError


def test_checkpoints_survive_a_new_store_on_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "var" / "checkpoints.json"
    store = FileCheckpointStore(path)
    assert store.load("events", "shardId-0") is None
    store.save("events", "shardId-0", "100")
    store.save("events", "shardId-1", SHARD_END)
    store.save("other", "shardId-0", "7")
    store.save("events", "shardId-0", "250")
    again = FileCheckpointStore(path)
    assert again.load("events", "shardId-0") == "250"
    assert again.load("events", "shardId-1") == SHARD_END
    assert again.load("other", "shardId-0") == "7"
    assert json.loads(path.read_text()) == {
        "events": {"shardId-0": "250", "shardId-1": SHARD_END},
        "other": {"shardId-0": "7"},
    }
    assert [p.name for p in path.parent.iterdir()] == ["checkpoints.json"]  # no temporary left


def test_an_unreadable_file_is_an_error_not_a_fresh_start(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.json"
    path.write_text("[1, 2")
    with pytest.raises(KinesisError, match="cannot read"):
        FileCheckpointStore(path).load("events", "shardId-0")
    path.write_text("[1, 2]")
    with pytest.raises(KinesisError, match="JSON object"):
        FileCheckpointStore(path).load("events", "shardId-0")


def test_an_unwritable_place_is_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(KinesisError, match=r"cannot (read|write) the checkpoints"):
        FileCheckpointStore(blocker / "checkpoints.json").save("events", "shardId-0", "1")
    store = FileCheckpointStore(tmp_path / "checkpoints.json")
    store.load("events", "shardId-0")  # read: no file yet
    (tmp_path / "checkpoints.json").mkdir()  # now it cannot be replaced
    with pytest.raises(KinesisError, match="cannot write the checkpoints"):
        store.save("events", "shardId-0", "1")
