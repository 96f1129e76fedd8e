"""Entry points for ``mangaassist train-intent`` and ``mangaassist classify``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO

from agents.entities import extract_entities
from agents.exceptions import IntentModelError
from agents.intent.classifier import IntentClassifier, bundled_classifier
from agents.intent.dataset import (
    Example,
    count_by,
    load_batches,
    load_independent_test,
    split,
)
from agents.intent.evaluation import confusion_svg, evaluate
from agents.intent.labels import INTENTS
from agents.intent.train import train_model
from agents.intent.unseen_writers import BatchScore, score_unseen_batches
from schemas.events import Entity

Progress = Callable[[str], None]


def train_intent_main(
    data_dir: Path | None, model_out: Path, report_dir: Path, unseen_writers: bool = False
) -> int:
    """Train on the training split, evaluate on the held-out split, then refit on everything.

    The shipped model is the refit one; the evaluation printed and saved is that of
    the model that never saw the held-out examples, trained the same way. With
    ``unseen_writers``, each batch file is also scored by a model trained without it.
    """
    batches = load_batches(data_dir)
    examples = [example for batch in batches.values() for example in batch]
    _check_labels(examples_by=count_by(examples))
    train, held_out = split(examples, "train"), split(examples, "held_out")
    progress = _stderr_progress
    progress(f"{len(examples)} examples: {len(train)} to train on, {len(held_out)} held out")
    evaluation = evaluate(IntentClassifier(train_model(train, progress=progress)), held_out)
    summary = evaluation.summary()
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "evaluation.json").write_text(json.dumps(summary, indent=2) + "\n")
    (report_dir / "confusion.svg").write_text(
        confusion_svg(evaluation, f"Intent classifier, held-out split ({len(held_out)} examples)")
    )
    with (report_dir / "mistakes.jsonl").open("w", encoding="utf-8") as out:
        for mistake in evaluation.mistakes():
            out.write(json.dumps(mistake, ensure_ascii=False) + "\n")
    _print_evaluation(summary)
    if unseen_writers:
        _report_unseen_writers(batches, report_dir)
    progress("refitting on every example for the shipped model")
    model = train_model(examples, progress=progress)
    model.save(model_out)
    _report_independent_test(IntentClassifier(model), load_independent_test(data_dir), report_dir)
    print(f"model: {model_out} ({model.meta['features']} features, T={model.temperature})")
    print(f"report: {report_dir}/evaluation.json, confusion.svg, mistakes.jsonl")
    return 0


def _report_independent_test(
    classifier: IntentClassifier, test: list[Example], report_dir: Path
) -> None:
    if not test:
        return
    evaluation = evaluate(classifier, test)
    summary = {
        key: value
        for key, value in evaluation.summary().items()
        if key in ("examples", "accuracy", "accuracy_ja", "accuracy_en", "per_label")
    }
    (report_dir / "independent_test.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"independent test set (never trained on, {len(test)} messages): accuracy"
        f" {summary['accuracy']:.3f} (ja {summary['accuracy_ja']:.3f},"
        f" en {summary['accuracy_en']:.3f})"
    )


def _report_unseen_writers(batches: dict[str, list[Example]], report_dir: Path) -> None:
    scores = score_unseen_batches(batches, progress=_stderr_progress)
    by_lang: dict[str, list[BatchScore]] = {}
    for score in scores:
        by_lang.setdefault(batches[score.batch][0].lang, []).append(score)
    pooled = {
        lang: round(sum(s.accuracy * s.examples for s in group) / sum(s.examples for s in group), 4)
        for lang, group in sorted(by_lang.items())
    }
    report = {"pooled_accuracy": pooled, "batches": [asdict(score) for score in scores]}
    (report_dir / "unseen_writers.json").write_text(json.dumps(report, indent=2) + "\n")
    print("accuracy on each batch file by a model trained without it (unseen writers):")
    for score in scores:
        print(f"  {score.batch:<24} {score.accuracy:.3f} ({score.examples})")
    print("  pooled: " + ", ".join(f"{lang} {value:.3f}" for lang, value in pooled.items()))


def _check_labels(examples_by: dict[tuple[str, str], int]) -> None:
    missing = [
        f"{label}/{lang}"
        for label in INTENTS
        for lang in ("ja", "en")
        if not examples_by.get((label, lang))
    ]
    if missing:
        raise IntentModelError("no examples for " + ", ".join(missing))


def _stderr_progress(message: str) -> None:
    print(f"[train-intent] {message}", file=sys.stderr, flush=True)


def _print_evaluation(summary: dict[str, Any]) -> None:
    print(
        f"held-out accuracy {summary['accuracy']:.3f} (ja {summary['accuracy_ja']:.3f},"
        f" en {summary['accuracy_en']:.3f}), calibration error"
        f" {summary['expected_calibration_error']:.3f}, decided by {summary['decided_by']}"
    )
    print(f"{'label':<18} {'precision':>9} {'recall':>7} {'n':>4}")
    for label, scores in summary["per_label"].items():
        print(
            f"{label:<18} {scores['precision']:>9.3f} {scores['recall']:>7.3f}"
            f" {scores['support']:>4}"
        )
    labels = summary["labels"]
    print("confusion (rows: true, columns: predicted, in the order above)")
    for label, row in zip(labels, summary["confusion"], strict=True):
        print(f"{label:<18} " + " ".join(f"{count:>3}" for count in row))


def classify_main(lines: TextIO, out: TextIO) -> int:
    """One JSON line out for each JSON line in, in order; a bad line gets an error object.

    Returns 1 if any line was bad, so scripts notice, but every line is answered.
    """
    classifier = bundled_classifier()
    bad = 0
    for number, line in enumerate(lines, start=1):
        answer = _classify_line(classifier, line, number)
        bad += "error" in answer
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if bad else 0


def _classify_line(classifier: IntentClassifier, line: str, number: int) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"error": f"line {number}: not JSON ({exc.msg})", "line": number}
    text = record.get("text") if isinstance(record, dict) else None
    if not isinstance(text, str):
        return {"error": f'line {number}: expected an object with a string "text"', "line": number}
    result = classifier.classify(text)
    return {
        "intent": result.intent,
        "confidence": result.confidence,
        "entities": entities_json(extract_entities(text)),
    }


def entities_json(entities: tuple[Entity, ...]) -> dict[str, list[str]]:
    """Entities grouped by kind, values in order of appearance."""
    grouped: dict[str, list[str]] = {}
    for entity in entities:
        grouped.setdefault(entity.kind, []).append(entity.value)
    return grouped
