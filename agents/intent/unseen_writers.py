"""Accuracy on writers the model never saw: train without one batch file, test on it.

The held-out split shares writers with the training split, so it is kinder
than a test set somebody else wrote. Leaving out a whole batch (one writer,
one angle) at a time gives the harder figure. The models here skip the
calibration folds: the temperature does not change which intent wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from agents.intent.classifier import IntentClassifier
from agents.intent.dataset import Example
from agents.intent.evaluation import evaluate
from agents.intent.features import features
from agents.intent.labels import INTENTS
from agents.intent.model import IntentModel
from agents.intent.train import TrainingConfig, fit_weights, trusted_rules


@dataclass(frozen=True, slots=True)
class BatchScore:
    batch: str
    examples: int
    accuracy: float


def score_unseen_batches(
    batches: Mapping[str, Sequence[Example]],
    config: TrainingConfig | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> list[BatchScore]:
    """For each batch, the accuracy of a model trained on every other batch."""
    config = config or TrainingConfig()
    rows = {name: [frozenset(features(e.text)) for e in batch] for name, batch in batches.items()}
    scores = []
    for number, (name, batch) in enumerate(batches.items(), start=1):
        progress(f"unseen writers {number}/{len(batches)}: {name}")
        others = [n for n in batches if n != name]
        training_rows = [row for n in others for row in rows[n]]
        labels = [e.label for n in others for e in batches[n]]
        fit = fit_weights(training_rows, labels, config)
        model = IntentModel(
            INTENTS,
            fit.vocabulary,
            fit.feature_weights,
            fit.weights,
            fit.bias,
            rule_precision=trusted_rules(training_rows, labels, config),
        )
        accuracy = evaluate(IntentClassifier(model), batch).accuracy()
        scores.append(BatchScore(name, len(batch), round(accuracy, 4)))
    return scores
