"""The trained stage of the intent classifier: a linear model over n-gram features.

A message is the set of its features, each weighted by its rarity in training
(inverse document frequency) and scaled to unit length; the logits are that
vector times the weights.

The model file is a compressed ``.npz`` of plain arrays (no pickles), shipped
inside the package; ``mangaassist train-intent`` rebuilds it.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agents.exceptions import IntentModelError
from agents.intent.features import features

MODEL_FILE = "intent-model.npz"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class IntentModel:
    labels: tuple[str, ...]
    vocabulary: dict[str, int]
    feature_weights: FloatArray  # (features,): the idf of each feature
    weights: FloatArray  # (features, labels)
    bias: FloatArray  # (labels,)
    # Logits are divided by it before the softmax, fitted so confidences match accuracy.
    temperature: float = 1.0
    # Stage-one rule verdicts trusted per label, with their measured precision.
    rule_precision: dict[str, float] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)

    def feature_rows(self, found: Iterable[str]) -> npt.NDArray[np.intp]:
        rows = {row for row in map(self.vocabulary.get, found) if row is not None}
        return np.array(sorted(rows), dtype=np.intp)

    def logits(self, text: str) -> FloatArray:
        return self.logits_of(features(text))

    def logits_of(self, found: Iterable[str]) -> FloatArray:
        """The logits of a message given its :func:`features`."""
        rows = self.feature_rows(found)
        if not len(rows):
            return self.bias.copy()
        scale = self.feature_weights[rows]
        summed: FloatArray = scale @ self.weights[rows]
        return summed / np.float32(math.sqrt(scale @ scale)) + self.bias

    def probabilities(self, text: str) -> FloatArray:
        return self.probabilities_of(features(text))

    def probabilities_of(self, found: Iterable[str]) -> FloatArray:
        return softmax(self.logits_of(found) / np.float32(self.temperature))

    def save(self, path: Path) -> None:
        vocabulary = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        rules = sorted(self.rule_precision)
        arrays = {
            "labels": np.array(self.labels),
            "vocabulary": np.array(vocabulary),
            "feature_weights": self.feature_weights.astype(np.float32),
            "weights": self.weights.astype(np.float32),
            "bias": self.bias.astype(np.float32),
            "temperature": np.array(self.temperature),
            "rule_labels": np.array(rules, dtype=str),
            "rule_precision": np.array([self.rule_precision[r] for r in rules]),
            "meta": np.array(json.dumps(self.meta, sort_keys=True)),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        # np.savez stamps each member with the current time; a fixed stamp makes
        # the same training give the same bytes.
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                member = zipfile.ZipInfo(f"{name}.npy", date_time=_FIXED_TIME)
                member.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(member, "w") as out:
                    np.lib.format.write_array(out, np.asanyarray(array), allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        try:
            with np.load(path, allow_pickle=False) as arrays:
                return cls(
                    labels=tuple(str(label) for label in arrays["labels"]),
                    vocabulary={str(f): i for i, f in enumerate(arrays["vocabulary"])},
                    feature_weights=arrays["feature_weights"].astype(np.float32),
                    weights=arrays["weights"].astype(np.float32),
                    bias=arrays["bias"].astype(np.float32),
                    temperature=float(arrays["temperature"]),
                    rule_precision={
                        str(label): float(p)
                        for label, p in zip(
                            arrays["rule_labels"], arrays["rule_precision"], strict=True
                        )
                    },
                    meta=json.loads(str(arrays["meta"])),
                )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise IntentModelError(f"cannot read the intent model {path}: {exc}") from exc


def bundled_model_path() -> Path:
    return Path(str(resources.files("agents.intent") / "model" / MODEL_FILE))


@cache
def bundled_model() -> IntentModel:
    """The model shipped in the package, loaded once per process."""
    return IntentModel.load(bundled_model_path())


def softmax(logits: FloatArray) -> FloatArray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    result: FloatArray = shifted / shifted.sum(axis=-1, keepdims=True)
    return result
