"""The labelled shopper messages the intent model learns from, and their fixed split.

The examples live in ``data/examples_*.jsonl``, one object per line
(``text``, ``label``, ``lang``); a line with ``synthetic: true`` is the file's
header. Which examples are held out depends on a hash of the text alone, so
the split is the same on every machine and does not move when examples are
added.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

from agents.exceptions import IntentModelError
from agents.intent.labels import INTENTS

HELD_OUT_PERCENT = 20
Split = Literal["train", "held_out"]


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    lang: Literal["ja", "en"]

    @property
    def split(self) -> Split:
        digest = hashlib.blake2b(self.text.encode(), digest_size=8).digest()
        return "held_out" if int.from_bytes(digest) % 100 < HELD_OUT_PERCENT else "train"


def bundled_data_dir() -> Path:
    return Path(str(resources.files("agents.intent") / "data"))


def load_examples(directory: Path | None = None) -> list[Example]:
    """Every example under ``directory`` (the bundled data by default), files in name order."""
    return [example for batch in load_batches(directory).values() for example in batch]


def load_batches(directory: Path | None = None) -> dict[str, list[Example]]:
    """The examples of each ``examples_*.jsonl`` file by file name, in name order.

    Each file is one writing batch (one writer, one angle), which makes a file
    the natural unit for measuring how the model does on a writer it never saw.
    """
    directory = directory or bundled_data_dir()
    paths = sorted(directory.glob("examples_*.jsonl"))
    if not paths:
        raise IntentModelError(f"no examples_*.jsonl files in {directory}")
    return {path.name: list(_read(path)) for path in paths}


INDEPENDENT_TEST_FILE = "independent_test.jsonl"


def load_independent_test(directory: Path | None = None) -> list[Example]:
    """The test messages written from the labelling guide alone, without seeing the examples.

    They are never trained on; an empty list when ``directory`` has none.
    """
    path = (directory or bundled_data_dir()) / INDEPENDENT_TEST_FILE
    return list(_read(path)) if path.exists() else []


def split(examples: Iterable[Example], which: Split) -> list[Example]:
    return [example for example in examples if example.split == which]


def _read(path: Path) -> Iterable[Example]:
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise IntentModelError(f"{path}:{number}: not JSON ({exc.msg})") from exc
            if record.get("synthetic") is True:
                continue
            yield _example(record, f"{path}:{number}")


def _example(record: dict[str, object], where: str) -> Example:
    text, label, lang = record.get("text"), record.get("label"), record.get("lang")
    if not isinstance(text, str) or not text.strip():
        raise IntentModelError(f"{where}: 'text' must be a non-empty string")
    if label not in INTENTS:
        raise IntentModelError(f"{where}: unknown label {label!r}")
    if lang not in ("ja", "en"):
        raise IntentModelError(f"{where}: 'lang' must be 'ja' or 'en'")
    return Example(text, str(label), lang)


def count_by(examples: Sequence[Example]) -> dict[tuple[str, str], int]:
    counts: dict[tuple[str, str], int] = {}
    for example in examples:
        key = (example.label, example.lang)
        counts[key] = counts.get(key, 0) + 1
    return counts


def fingerprint(examples: Sequence[Example]) -> str:
    """A digest of the examples, stored in the model so a stale model can be told apart."""
    digest = hashlib.blake2b(digest_size=16)
    for example in examples:
        digest.update(f"{example.label}\t{example.lang}\t{example.text}\n".encode())
    return digest.hexdigest()
