"""How well the intent classifier does on examples it did not learn from."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from agents.intent.classifier import IntentClassifier, IntentResult
from agents.intent.dataset import Example

CALIBRATION_BINS = 10


@dataclass(frozen=True, slots=True)
class Evaluation:
    labels: tuple[str, ...]
    examples: Sequence[Example]
    results: Sequence[IntentResult]

    def accuracy(self, lang: str | None = None) -> float:
        pairs = [
            (e, r)
            for e, r in zip(self.examples, self.results, strict=True)
            if lang in (None, e.lang)
        ]
        return sum(e.label == r.intent for e, r in pairs) / len(pairs) if pairs else 0.0

    def confusion(self) -> list[list[int]]:
        """Counts by true label (rows) and predicted label (columns), in ``labels`` order."""
        index = {label: i for i, label in enumerate(self.labels)}
        matrix = [[0] * len(self.labels) for _ in self.labels]
        for example, result in zip(self.examples, self.results, strict=True):
            matrix[index[example.label]][index[result.intent]] += 1
        return matrix

    def per_label(self) -> dict[str, dict[str, float | int]]:
        matrix = self.confusion()
        scores: dict[str, dict[str, float | int]] = {}
        for i, label in enumerate(self.labels):
            predicted = sum(row[i] for row in matrix)
            actual = sum(matrix[i])
            hits = matrix[i][i]
            scores[label] = {
                "precision": round(hits / predicted, 4) if predicted else 0.0,
                "recall": round(hits / actual, 4) if actual else 0.0,
                "support": actual,
            }
        return scores

    def calibration_error(self) -> float:
        """Expected calibration error: confidence against accuracy, in equal-width bins."""
        bins: dict[int, list[tuple[float, bool]]] = {}
        for example, result in zip(self.examples, self.results, strict=True):
            slot = min(int(result.confidence * CALIBRATION_BINS), CALIBRATION_BINS - 1)
            bins.setdefault(slot, []).append((result.confidence, example.label == result.intent))
        total = len(self.results)
        error = 0.0
        for members in bins.values():
            confidence = sum(c for c, _ in members) / len(members)
            accuracy = sum(ok for _, ok in members) / len(members)
            error += len(members) / total * abs(confidence - accuracy)
        return round(error, 4)

    def summary(self) -> dict[str, Any]:
        return {
            "examples": len(self.examples),
            "accuracy": round(self.accuracy(), 4),
            "accuracy_ja": round(self.accuracy("ja"), 4),
            "accuracy_en": round(self.accuracy("en"), 4),
            "expected_calibration_error": self.calibration_error(),
            "decided_by": dict(sorted(Counter(r.stage for r in self.results).items())),
            "per_label": self.per_label(),
            "labels": list(self.labels),
            "confusion": self.confusion(),
        }

    def mistakes(self) -> list[dict[str, Any]]:
        return [
            {"text": e.text, "label": e.label, "predicted": r.intent, "confidence": r.confidence}
            for e, r in zip(self.examples, self.results, strict=True)
            if e.label != r.intent
        ]


def evaluate(classifier: IntentClassifier, examples: Sequence[Example]) -> Evaluation:
    results = [classifier.classify(example.text) for example in examples]
    return Evaluation(classifier.model.labels, examples, results)


CELL = 34
LEFT = 150
TOP = 130


def confusion_svg(evaluation: Evaluation, title: str) -> str:
    """A heat map of the confusion matrix with each label's precision and recall beside it."""
    labels = evaluation.labels
    matrix = evaluation.confusion()
    scores = evaluation.per_label()
    size = len(labels) * CELL
    width, height = LEFT + size + 150, TOP + size + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<text x="8" y="16" font-size="13" font-weight="bold">{escape(title)}</text>',
        f'<text x="{LEFT + size / 2}" y="{TOP + size + 28}" text-anchor="middle">predicted</text>',
        f'<text x="{LEFT + size + 12}" y="{TOP - 8}">precision / recall</text>',
    ]
    for i, label in enumerate(labels):
        y = TOP + i * CELL
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + CELL / 2 + 4}" text-anchor="end">{escape(label)}</text>'
        )
        x = LEFT + i * CELL + CELL / 2
        parts.append(
            f'<text transform="translate({x + 4},{TOP - 6}) rotate(-60)">{escape(label)}</text>'
        )
        row_total = sum(matrix[i]) or 1
        for j, count in enumerate(matrix[i]):
            share = count / row_total
            parts.append(
                f'<rect x="{LEFT + j * CELL}" y="{y}" width="{CELL}" height="{CELL}"'
                f' fill="{_shade(share, i == j)}" stroke="#fff"/>'
            )
            if count:
                colour = "#fff" if share > 0.5 else "#222"
                parts.append(
                    f'<text x="{LEFT + j * CELL + CELL / 2}" y="{y + CELL / 2 + 4}"'
                    f' text-anchor="middle" fill="{colour}">{count}</text>'
                )
        label_scores = scores[label]
        parts.append(
            f'<text x="{LEFT + size + 12}" y="{y + CELL / 2 + 4}">'
            f"{label_scores['precision']:.2f} / {label_scores['recall']:.2f}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _shade(share: float, diagonal: bool) -> str:
    # Blue for right answers, red for confusions, darker as the share grows.
    base = (33, 102, 172) if diagonal else (202, 0, 32)
    mix = [round(255 - (255 - channel) * share) for channel in base]
    return "#{:02x}{:02x}{:02x}".format(*mix)
