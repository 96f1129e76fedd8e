import json
from pathlib import Path

import pytest

from agents.intent.command import train_intent_main
from agents.intent.labels import INTENTS
from agents.intent.model import IntentModel

HEADER = {"synthetic": True, "note": "made up for a test"}


def _write(path: Path, records: list[dict[str, str]]) -> None:
    lines = [json.dumps(HEADER)] + [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _records(lang: str) -> list[dict[str, str]]:
    # Each label has its own made-up word, so the model has something to learn.
    return [
        {"text": f"{label} word{i} {label}", "label": label, "lang": lang}
        for label in INTENTS
        for i in range(4)
    ]


def test_training_reports_held_out_unseen_writers_and_the_independent_test(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, reports, model_path = tmp_path / "data", tmp_path / "reports", tmp_path / "model.npz"
    data.mkdir()
    _write(data / "examples_en.jsonl", _records("en"))
    _write(data / "examples_ja.jsonl", _records("ja"))
    test = [{"text": f"please {label}", "label": label, "lang": "en"} for label in INTENTS]
    _write(data / "independent_test.jsonl", test)

    assert train_intent_main(data, model_path, reports, unseen_writers=True) == 0

    assert IntentModel.load(model_path).meta["examples"] == 2 * 4 * len(INTENTS)
    unseen = json.loads((reports / "unseen_writers.json").read_text())
    assert [b["batch"] for b in unseen["batches"]] == ["examples_en.jsonl", "examples_ja.jsonl"]
    assert set(unseen["pooled_accuracy"]) == {"en", "ja"}
    independent = json.loads((reports / "independent_test.json").read_text())
    assert independent["examples"] == len(INTENTS)
    assert independent["accuracy"] == 1.0
    printed = capsys.readouterr().out
    assert "independent test set (never trained on, 10 messages)" in printed
    assert "unseen writers" in printed
