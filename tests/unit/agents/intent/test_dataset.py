import json
import re
import unicodedata
from pathlib import Path

import pytest

from agents.exceptions import IntentModelError
from agents.intent.dataset import (
    Example,
    count_by,
    load_batches,
    load_examples,
    load_independent_test,
    split,
)
from agents.intent.labels import INTENTS

MIN_EXAMPLES = 1500


def test_the_shipped_examples_are_many_balanced_and_bilingual() -> None:
    examples = load_examples()
    assert len(examples) >= MIN_EXAMPLES
    counts = count_by(examples)
    per_label = [counts.get((label, "ja"), 0) + counts.get((label, "en"), 0) for label in INTENTS]
    assert min(per_label) >= 0.8 * max(per_label)
    ja = sum(n for (_, lang), n in counts.items() if lang == "ja")
    assert 0.45 <= ja / len(examples) <= 0.55
    assert len({example.text.casefold() for example in examples}) == len(examples)


def _folded(text: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text).casefold())


def test_the_independent_test_set_shares_no_message_with_the_examples() -> None:
    test = load_independent_test()
    assert len(test) >= 300
    assert {e.lang for e in test} == {"ja", "en"}
    trained_on = {_folded(example.text) for example in load_examples()}
    assert [e.text for e in test if _folded(e.text) in trained_on] == []


def test_the_split_depends_on_the_text_alone() -> None:
    one = Example("where is my order", "order_tracking", "en")
    assert one.split == Example("where is my order", "faq", "ja").split
    examples = load_examples()
    held_out = split(examples, "held_out")
    assert 0.15 <= len(held_out) / len(examples) <= 0.25


def _write(path: Path, *records: object) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def test_a_bad_example_names_its_file_and_line(tmp_path: Path) -> None:
    _write(
        tmp_path / "examples_en.jsonl",
        {"synthetic": True, "note": "made up"},
        {"text": "hi", "label": "chitchat", "lang": "en"},
        {"text": "hi", "label": "smalltalk", "lang": "en"},
    )
    with pytest.raises(IntentModelError, match=r"examples_en.jsonl:3: unknown label 'smalltalk'"):
        load_examples(tmp_path)


def test_batches_are_the_files_in_name_order(tmp_path: Path) -> None:
    header = {"synthetic": True, "note": "made up"}
    _write(
        tmp_path / "examples_ja.jsonl",
        header,
        {"text": "こんにちは", "label": "chitchat", "lang": "ja"},
    )
    _write(
        tmp_path / "examples_en.jsonl", header, {"text": "hi", "label": "chitchat", "lang": "en"}
    )
    batches = load_batches(tmp_path)
    assert list(batches) == ["examples_en.jsonl", "examples_ja.jsonl"]
    assert [e.text for e in load_examples(tmp_path)] == ["hi", "こんにちは"]


def test_a_folder_without_examples_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(IntentModelError, match="no examples"):
        load_examples(tmp_path)


def test_the_shipped_model_was_trained_on_the_shipped_examples() -> None:
    from agents.intent.dataset import fingerprint
    from agents.intent.model import bundled_model

    # Editing the examples without `mangaassist train-intent` leaves a stale model.
    assert bundled_model().meta["examples_fingerprint"] == fingerprint(load_examples())
