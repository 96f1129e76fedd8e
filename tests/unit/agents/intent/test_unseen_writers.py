from agents.intent.dataset import Example
from agents.intent.train import TrainingConfig
from agents.intent.unseen_writers import score_unseen_batches

SMALL = TrainingConfig(epochs=80, folds=2, min_count=1)


def _batch(*pairs: tuple[str, str]) -> list[Example]:
    return [Example(text, label, "en") for text, label in pairs]


def test_each_batch_is_scored_by_a_model_that_never_saw_it() -> None:
    batches = {
        "examples_a.jsonl": _batch(
            ("where is my parcel", "order_tracking"), ("any coupon today", "promotion")
        ),
        "examples_b.jsonl": _batch(
            ("track my parcel please", "order_tracking"), ("coupon for me", "promotion")
        ),
        # Words neither other batch uses: a model that did not see them can only guess.
        "examples_c.jsonl": _batch(
            ("zxq vvv", "order_tracking"), ("qqq zzz", "promotion"), ("kkk", "order_tracking")
        ),
    }
    progress: list[str] = []
    scores = {s.batch: s for s in score_unseen_batches(batches, SMALL, progress.append)}
    assert scores["examples_a.jsonl"].accuracy == 1.0
    assert scores["examples_b.jsonl"].accuracy == 1.0
    assert scores["examples_c.jsonl"].examples == 3
    assert scores["examples_c.jsonl"].accuracy < 1.0
    assert len(progress) == 3
