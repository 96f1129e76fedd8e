"""Where the local shard reader remembers how far it got in each shard.

The KCL keeps its checkpoints in a DynamoDB lease table; the local reader
keeps them in a small JSON file, ``{stream: {shard_id: sequence_number}}``,
rewritten atomically after every batch the warehouse stored.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Protocol

from connectors.kinesis.exceptions import KinesisError

SHARD_END = "SHARD_END"
"""The checkpoint of a shard read to its end (the KCL uses the same sentinel)."""


class CheckpointStore(Protocol):
    """The last stored sequence number of each shard."""

    def load(self, stream_name: str, shard_id: str) -> str | None:
        """The checkpoint of ``shard_id``, :data:`SHARD_END`, or None when it has none."""
        ...

    def save(self, stream_name: str, shard_id: str, sequence_number: str) -> None:
        """Remember that every record up to ``sequence_number`` is stored."""
        ...


class MemoryCheckpointStore:
    """Checkpoints in a dict: for tests."""

    def __init__(self) -> None:
        self.checkpoints: dict[tuple[str, str], str] = {}

    def load(self, stream_name: str, shard_id: str) -> str | None:
        return self.checkpoints.get((stream_name, shard_id))

    def save(self, stream_name: str, shard_id: str, sequence_number: str) -> None:
        self.checkpoints[(stream_name, shard_id)] = sequence_number


class FileCheckpointStore:
    """Checkpoints in a JSON file; each save replaces the file atomically (write, fsync, rename).

    One reader process per file: a second one would overwrite the first's checkpoints.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, dict[str, str]] | None = None

    def load(self, stream_name: str, shard_id: str) -> str | None:
        with self._lock:
            return self._read().get(stream_name, {}).get(shard_id)

    def save(self, stream_name: str, shard_id: str, sequence_number: str) -> None:
        with self._lock:
            data = self._read()
            data.setdefault(stream_name, {})[shard_id] = sequence_number
            self._write(data)

    def _read(self) -> dict[str, dict[str, str]]:
        if self._data is None:
            try:
                raw = json.loads(self.path.read_text("utf-8"))
            except FileNotFoundError:
                raw = {}
            except (OSError, ValueError) as exc:
                raise KinesisError(f"cannot read the checkpoints in {self.path}: {exc}") from exc
            if not isinstance(raw, dict):
                raise KinesisError(f"{self.path} does not hold a JSON object of checkpoints")
            self._data = {
                str(stream): {str(k): str(v) for k, v in shards.items()}
                for stream, shards in raw.items()
                if isinstance(shards, dict)
            }
        return self._data

    def _write(self, data: dict[str, dict[str, str]]) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    json.dump(data, file, indent=1, sort_keys=True)
                    file.flush()
                    os.fsync(file.fileno())
                os.replace(name, self.path)
            except BaseException:
                Path(name).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise KinesisError(f"cannot write the checkpoints to {self.path}: {exc}") from exc
