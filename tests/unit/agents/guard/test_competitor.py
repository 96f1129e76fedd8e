import pytest

from agents.guard.competitor import competitor_pattern, find_competitors
from agents.guard.settings import DEFAULT_COMPETITORS


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("You can also buy it on Amazon.", ["Amazon"]),
        ("ＡＭＡＺＯＮ has a bundle.", ["ＡＭＡＺＯＮ"]),
        ("Check amazon.co.jp", ["amazon"]),
        ("楽天ブックスでも買えます。", ["楽天"]),
        ("アマゾンでも扱っています。", ["アマゾン"]),
        ("BOOK☆WALKERでも読めます。", ["BOOK☆WALKER"]),
        ("Try TSUTAYA or Animate.", ["TSUTAYA", "Animate"]),
        ("紀伊國屋書店と紀伊国屋", ["紀伊國屋", "紀伊国屋"]),
        ("Amazoness is the heroine's name.", []),
        ("楽天的な主人公です。", []),
        ("Hontou ni? Honestly yes.", []),
        ("", []),
    ],
)
def test_names_are_found_as_words(text: str, found: list[str]) -> None:
    spans = find_competitors(text, DEFAULT_COMPETITORS)
    assert [text[start:end] for start, end in spans] == found


def test_the_list_is_a_setting() -> None:
    assert find_competitors("Buy at Mangaya.", ("Mangaya",)) == [(7, 14)]
    assert find_competitors("Buy at Amazon.", ("Mangaya",)) == []
    assert competitor_pattern(()) is None
