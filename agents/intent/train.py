"""Training the intent model: softmax regression, a fitted temperature, trusted rules.

Everything is deterministic (no random initialisation or shuffling), so the
same examples always give the same model. Confidence is calibrated by a
temperature fitted on out-of-fold predictions; a stage-one rule is trusted
only for the labels where it proved precise on the training examples.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from agents.intent.dataset import Example, fingerprint
from agents.intent.features import features, rule_verdict
from agents.intent.labels import INTENTS
from agents.intent.model import FloatArray, IntentModel, softmax

IntArray = npt.NDArray[np.int64]
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class TrainingConfig:
    # Every feature seen in training is kept: weighted by rarity, a one-off costs little.
    min_count: int = 1
    l2: float = 1e-6
    epochs: int = 150
    learning_rate: float = 0.2
    folds: int = 5
    # A rule is trusted for a label when it fired this often and was this precise.
    rule_min_fires: int = 10
    rule_min_precision: float = 0.97


FeatureSet = frozenset[str]


@dataclass(frozen=True, slots=True)
class LinearFit:
    vocabulary: dict[str, int]
    feature_weights: FloatArray  # (features,)
    weights: FloatArray  # (features, labels)
    bias: FloatArray  # (labels,)

    def logits(self, rows: Sequence[FeatureSet]) -> FloatArray:
        result: FloatArray = (
            design_matrix(rows, self.vocabulary, self.feature_weights) @ self.weights + self.bias
        )
        return result


def design_matrix(
    rows: Sequence[FeatureSet], vocabulary: dict[str, int], feature_weights: FloatArray
) -> sparse.csr_array:
    """The example-by-feature matrix, as the model weighs a message (see ``IntentModel.logits``)."""
    columns: list[int] = []
    starts = [0]
    values: list[FloatArray] = [np.zeros(0, dtype=np.float32)]
    for found in rows:
        row = sorted(vocabulary[f] for f in found if f in vocabulary)
        scale = feature_weights[row]
        columns.extend(row)
        values.append(scale / np.sqrt(scale @ scale))
        starts.append(len(columns))
    return sparse.csr_array(
        (np.concatenate(values, dtype=np.float32), np.array(columns), np.array(starts)),
        shape=(len(rows), len(vocabulary)),
    )


def build_vocabulary(rows: Sequence[FeatureSet], min_count: int) -> dict[str, int]:
    counts = _document_counts(rows)
    kept = sorted(f for f, n in counts.items() if n >= min_count or f == "bias")
    return {feature: index for index, feature in enumerate(kept)}


def inverse_document_frequency(
    rows: Sequence[FeatureSet], vocabulary: dict[str, int]
) -> FloatArray:
    """Smoothed idf of each feature: a word in every message says little, a rare one much."""
    counts = np.zeros(len(vocabulary), dtype=np.float64)
    for feature, count in _document_counts(rows).items():
        if feature in vocabulary:
            counts[vocabulary[feature]] = count
    return (np.log((1 + len(rows)) / (1 + counts)) + 1).astype(np.float32)


def _document_counts(rows: Sequence[FeatureSet]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for found in rows:
        for feature in found:
            counts[feature] = counts.get(feature, 0) + 1
    return counts


def fit_weights(
    rows: Sequence[FeatureSet], labels: Sequence[str], config: TrainingConfig
) -> LinearFit:
    """Vocabulary, feature weights, weights and bias of a softmax regression, by full-batch Adam."""
    vocabulary = build_vocabulary(rows, config.min_count)
    feature_weights = inverse_document_frequency(rows, vocabulary)
    design = design_matrix(rows, vocabulary, feature_weights)
    transposed = design.T.tocsr()
    targets = np.zeros((len(rows), len(INTENTS)), dtype=np.float32)
    targets[np.arange(len(rows)), [INTENTS.index(label) for label in labels]] = 1.0
    weights = np.zeros((len(vocabulary), len(INTENTS)), dtype=np.float32)
    bias = np.zeros(len(INTENTS), dtype=np.float32)
    adam = _Adam(config.learning_rate, [weights, bias])
    for _ in range(config.epochs):
        error = (softmax(design @ weights + bias) - targets) / np.float32(len(rows))
        weight_gradient = transposed @ error + config.l2 * weights
        adam.step([weight_gradient, error.sum(axis=0)])
    return LinearFit(vocabulary, feature_weights, weights, bias)


class _Adam:
    def __init__(self, learning_rate: float, parameters: list[FloatArray]) -> None:
        self._rate = learning_rate
        self._parameters = parameters
        self._first = [np.zeros_like(p) for p in parameters]
        self._second = [np.zeros_like(p) for p in parameters]
        self._steps = 0

    def step(self, gradients: list[FloatArray]) -> None:
        self._steps += 1
        beta1, beta2 = 0.9, 0.999
        scale = self._rate * math.sqrt(1 - beta2**self._steps) / (1 - beta1**self._steps)
        for parameter, gradient, first, second in zip(
            self._parameters, gradients, self._first, self._second, strict=True
        ):
            first *= beta1
            first += (1 - beta1) * gradient
            second *= beta2
            second += (1 - beta2) * gradient * gradient
            parameter -= (scale * first / (np.sqrt(second) + 1e-8)).astype(np.float32)


def fit_temperature(logits: FloatArray, labels: IntArray) -> float:
    """The temperature minimising the negative log-likelihood, by golden-section search."""

    def loss(log_t: float) -> float:
        probabilities = softmax(logits / np.float32(math.exp(log_t)))
        return float(-np.log(probabilities[np.arange(len(labels)), labels] + 1e-12).mean())

    low, high = math.log(0.05), math.log(20.0)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(60):
        left, right = high - ratio * (high - low), low + ratio * (high - low)
        if loss(left) < loss(right):
            high = right
        else:
            low = left
    return round(math.exp((low + high) / 2), 4)


def out_of_fold_logits(
    rows: Sequence[FeatureSet], labels: Sequence[str], config: TrainingConfig, progress: Progress
) -> FloatArray:
    """Each example's logits from a model that did not see it (k-fold by position)."""
    logits = np.zeros((len(rows), len(INTENTS)), dtype=np.float32)
    for fold in range(config.folds):
        progress(f"calibration fold {fold + 1}/{config.folds}")
        held = [i for i in range(len(rows)) if i % config.folds == fold]
        kept = [i for i in range(len(rows)) if i % config.folds != fold]
        fit = fit_weights([rows[i] for i in kept], [labels[i] for i in kept], config)
        logits[held] = fit.logits([rows[i] for i in held])
    return logits


def trusted_rules(
    rows: Sequence[FeatureSet], labels: Sequence[str], config: TrainingConfig
) -> dict[str, float]:
    """Labels whose unambiguous rule verdicts were precise, with that precision smoothed.

    The verdicts are read from each example's features, as the classifier reads them.
    """
    fired: dict[str, int] = {}
    right: dict[str, int] = {}
    for found, label in zip(rows, labels, strict=True):
        verdict = rule_verdict(found)
        if verdict is not None:
            fired[verdict] = fired.get(verdict, 0) + 1
            right[verdict] = right.get(verdict, 0) + (verdict == label)
    trusted: dict[str, float] = {}
    for label, count in fired.items():
        hits = right.get(label, 0)
        if count >= config.rule_min_fires and hits / count >= config.rule_min_precision:
            # Laplace smoothing keeps a perfect record on few examples from claiming 1.0.
            trusted[label] = round((hits + 1) / (count + 2), 4)
    return trusted


def train_model(
    examples: Sequence[Example],
    config: TrainingConfig = TrainingConfig(),
    progress: Progress = lambda _: None,
) -> IntentModel:
    """A calibrated model with its trusted rules, from ``examples``."""
    progress(f"reading the features of {len(examples)} examples")
    rows = [frozenset(features(example.text)) for example in examples]
    labels = [example.label for example in examples]
    oof = out_of_fold_logits(rows, labels, config, progress)
    temperature = fit_temperature(oof, np.array([INTENTS.index(label) for label in labels]))
    progress("fitting the model on every training example")
    fit = fit_weights(rows, labels, config)
    return IntentModel(
        labels=INTENTS,
        vocabulary=fit.vocabulary,
        feature_weights=fit.feature_weights,
        weights=fit.weights,
        bias=fit.bias,
        temperature=temperature,
        rule_precision=trusted_rules(rows, labels, config),
        meta={
            "examples": len(examples),
            "examples_fingerprint": fingerprint(examples),
            "features": len(fit.vocabulary),
            **_config_meta(config),
        },
    )


def _config_meta(config: TrainingConfig) -> dict[str, float | int]:
    return {
        "min_count": config.min_count,
        "l2": config.l2,
        "epochs": config.epochs,
        "learning_rate": config.learning_rate,
        "folds": config.folds,
    }
