import numpy as np
import pytest

from agents.exceptions import IntentModelError
from agents.intent.classifier import IntentClassifier
from agents.intent.dataset import Example
from agents.intent.features import features
from agents.intent.labels import INTENTS
from agents.intent.model import IntentModel
from agents.intent.train import (
    TrainingConfig,
    build_vocabulary,
    fit_temperature,
    fit_weights,
    inverse_document_frequency,
    train_model,
    trusted_rules,
)

SMALL = TrainingConfig(epochs=80, folds=2, min_count=1)


def _examples() -> list[Example]:
    phrases = {
        "order_tracking": ["where is my parcel", "parcel not here yet", "track my parcel"],
        "promotion": ["any coupon today", "coupon for new users", "is there a coupon"],
        "chitchat": ["good morning friend", "morning! nice weather", "thanks friend"],
    }
    return [Example(text, label, "en") for label, texts in phrases.items() for text in texts]


def test_training_learns_and_is_deterministic() -> None:
    first = train_model(_examples(), SMALL)
    second = train_model(_examples(), SMALL)
    assert np.array_equal(first.weights, second.weights)
    assert first.temperature == second.temperature
    classifier = IntentClassifier(first)
    assert classifier.classify("where is the parcel").intent == "order_tracking"
    assert classifier.classify("a coupon please").intent == "promotion"


def test_saved_model_loads_back_the_same(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = train_model(_examples(), SMALL)
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = type(model).load(path)
    assert loaded.labels == INTENTS
    assert loaded.vocabulary == model.vocabulary
    assert np.array_equal(loaded.weights, model.weights)
    assert loaded.rule_precision == model.rule_precision
    assert loaded.probabilities("coupon").tolist() == model.probabilities("coupon").tolist()


def test_a_corrupt_model_file_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "model.npz"
    path.write_bytes(b"not a model")
    with pytest.raises(IntentModelError, match="cannot read the intent model"):
        IntentModel.load(path)


def test_temperature_softens_overconfident_logits() -> None:
    # Always very sure, right only half the time: the fitted temperature must be large.
    logits = np.tile(np.array([[10.0, 0.0]], dtype=np.float32), (100, 1))
    labels = np.array([0, 1] * 50)
    assert fit_temperature(logits, labels) > 5
    # Sure and always right: no softening needed.
    assert fit_temperature(logits, np.zeros(100, dtype=np.int64)) < 1


def test_a_rule_is_trusted_only_where_it_was_precise() -> None:
    examples = [Example("talk to a human please", "escalation", "en")] * 12 + [
        Example("my card was declined", "checkout_help", "en")
    ] * 12
    examples += [Example("card declined, talk to a human", "checkout_help", "en")]
    wrong = [Example("return it, I want a refund", "faq", "en")] * 12
    every = [*examples, *wrong]
    rows = [frozenset(features(e.text)) for e in every]
    trusted = trusted_rules(rows, [e.label for e in every], TrainingConfig())
    assert trusted["escalation"] == pytest.approx(13 / 14, abs=1e-4)
    assert "return_request" not in trusted


def test_the_same_training_writes_the_same_bytes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first, second = tmp_path / "a.npz", tmp_path / "b.npz"
    train_model(_examples(), SMALL).save(first)
    train_model(_examples(), SMALL).save(second)
    assert first.read_bytes() == second.read_bytes()


def test_rare_features_weigh_more_than_common_ones() -> None:
    rows = [frozenset({"bias", "w:my", "w:parcel"}), frozenset({"bias", "w:my", "w:coupon"})]
    vocabulary = build_vocabulary(rows, min_count=1)
    idf = inverse_document_frequency(rows, vocabulary)
    assert idf[vocabulary["w:parcel"]] > idf[vocabulary["w:my"]] == idf[vocabulary["bias"]]


def test_the_model_scores_a_message_as_training_saw_it() -> None:
    examples = _examples()
    rows = [frozenset(features(e.text)) for e in examples]
    fit = fit_weights(rows, [e.label for e in examples], SMALL)
    model = IntentModel(INTENTS, fit.vocabulary, fit.feature_weights, fit.weights, fit.bias)
    for example, row in zip(examples, rows, strict=True):
        np.testing.assert_allclose(model.logits(example.text), fit.logits([row])[0], rtol=1e-5)
