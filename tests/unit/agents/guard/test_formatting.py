import pytest

from agents.guard.formatting import cap_length, clean_format

DOMAINS = ("mangaassist.example",)
OURS = "[our page](https://mangaassist.example/sale)"
COVER = "![cover](https://cdn.mangaassist.example/c.png)"


@pytest.mark.parametrize(
    ("text", "expected", "removed"),
    [
        ("Hi <b>there</b>!", "Hi there!", ("html",)),
        ("A<script>alert(1)</script>B", "AB", ("html",)),
        ("A<style>p{}</style>B<!-- x -->", "AB", ("html",)),
        (f"see {OURS}", f"see {OURS}", ()),
        ("see [this](https://evil.example/x)", "see this", ("links",)),
        ("![cover](http://img.evil.example/c.png)ok", "ok", ("links",)),
        (COVER, COVER, ()),
        ("go to https://evil.example/x now", "go to  now", ("links",)),
        ("wow!!!!!!!!!", "wow!!!!", ("repeated characters",)),
        ("すごいーーーーーーー", "すごいーーーー", ("repeated characters",)),
        ("B0ZZZZZZZZ and 1000000 stay", "B0ZZZZZZZZ and 1000000 stay", ()),
        ("bell\x07 and\u200b zero-width", "bell and zero-width", ("control characters",)),
        ("line\nbreaks\tstay", "line\nbreaks\tstay", ()),
        ("a < b and c > d", "a < b and c > d", ()),
        ("家族👨\u200d👩\u200d👧", "家族👨\u200d👩\u200d👧", ()),
    ],
)
def test_clean_format(text: str, expected: str, removed: tuple[str, ...]) -> None:
    assert clean_format(text, DOMAINS, 4) == (expected, removed)


def test_cap_cuts_at_a_sentence_end() -> None:
    text = "First sentence here. Second one is longer than the rest. Third."
    assert cap_length(text, 30) == "First sentence here."
    assert cap_length("これは一文目です。これは二文目です。", 12) == "これは一文目です。"
    assert cap_length(text, len(text)) == text


def test_cap_without_a_sentence_end_uses_an_ellipsis() -> None:
    assert cap_length("a" * 50, 20) == "a" * 19 + "…"
