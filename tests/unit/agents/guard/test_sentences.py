import pytest

from agents.guard.sentences import complete_prefix, split_sentences


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("The Secret Hero, Vol. 1 (Kindle): ¥614, in stock. Next one!",
         ["The Secret Hero, Vol. 1 (Kindle): ¥614, in stock. ", "Next one!"]),
        ("一文目です。二文目です！三文目？", ["一文目です。", "二文目です！", "三文目？"]),
        ("「本当に？」と聞いた。", ["「本当に？」", "と聞いた。"]),
        ("It costs 1.5k. Really.", ["It costs 1.5k. ", "Really."]),
        ("See e.g. this. And J. K. wrote it.", ["See e.g. this. ", "And J. K. wrote it."]),
        ("line one\nline two", ["line one\n", "line two"]),
        ("no stop at all", ["no stop at all"]),
        ("", []),
    ],
)  # fmt: skip
def test_sentences_join_back(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences
    assert "".join(split_sentences(text)) == text


@pytest.mark.parametrize(
    ("text", "complete"),
    [
        ("One. Two", 5),
        ("One. Two.", 5),  # "Two." may go on ("Two.5")
        ("One. Two. ", 10),
        ("一文目です。二文目", 6),
        ("一文目です。", 6),
        ("Vol. ", 0),
        ("", 0),
    ],
)
def test_complete_prefix(text: str, complete: int) -> None:
    assert complete_prefix(text) == complete
