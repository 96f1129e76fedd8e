"""Price ranges in yen a shopper asks for: "under 1000 yen", 「500円以上」, 「800円くらい」.

Runs on NFKC-folded, lowercased text, so ￥ arrives as ¥ and ３ as 3. An amount
is a number ("1,500", "1.5k", 「千五百」, "1万") with or without a yen mark; a
range needs a word or sign that makes it one ("under", 「以下」, "between ... and",
"~", 「くらい」) and a yen mark somewhere in it, so a bare "800 yen" is a price, not
a range, and "vol 3", an ISBN or an order id is neither. A range is
:class:`PriceRange`; its value is "MIN-MAX" with an open side left empty.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# "around 800 yen" is 800 give or take this share of it: 640-960.
AROUND_SHARE = 0.2

_KANJI_DIGITS = {
    "〇": 0,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1_000}
_KANJI = "〇一二三四五六七八九十百千万"
# Up to a billion yen: longer digit runs are ids, not prices.
_DIGITS = r"(?:\d{1,3}(?:,\d{3}){1,2}|\d{1,9}(?:\.\d{1,3})?)(?![\d,.]\d)"
# "1,500", "1.5k", "5千", "1万5千", 「千五百」.
_NUMBER = (
    rf"(?:(?:{_DIGITS})\s*[千万]?|[{_KANJI}])(?:(?:{_DIGITS})?\s*[{_KANJI}])*(?:\s*k(?![a-z]))?"
)
# A range never starts inside a longer number or id: "978-4-08-..." is no "4-08".
_FRESH = r"(?<![\d.,\-/])"
_YEN_BEFORE = r"(?:¥|jpy)\s*"
_YEN_AFTER = r"\s*(?:円|yen|jpy|えん)(?![a-z])"
_YEN_RE = re.compile(r"¥|円|えん|(?<![a-z])(?:yen|jpy)(?![a-z])")


def _amount(name: str, fresh: bool = True) -> str:
    return rf"(?:{_YEN_BEFORE})?{_FRESH if fresh else ''}(?P<{name}>{_NUMBER})(?:{_YEN_AFTER})?"


_LOW = _amount("low")
_HIGH = _amount("high", fresh=False)
_AT = _amount("at")
# Each form: what its amounts mean, and a pattern.
_FORMS: tuple[tuple[str, str], ...] = (
    ("range", rf"(?<![a-z])between\s+{_LOW}\s+and\s+{_HIGH}"),
    (
        "range",
        rf"(?:(?<![a-z])from\s+)?{_LOW}\s*(?:-|–|—|~|〜|(?<![a-z])to(?![a-z])|から)\s*{_HIGH}",
    ),
    (
        "at_most",
        r"(?:(?<![a-z])(?:under|below|less than|lower than|cheaper than|no more than|"
        r"not more than|at most|up to|max(?:imum)?|within|budget(?: of| is)?)|<=?|≦|≤"
        r"|予算(?:は|が|:)?)\s*" + _AT,
    ),
    (
        "at_most",
        rf"{_AT}\s*(?:or (?:less|under|below|cheaper)|and (?:under|below|less)|"
        r"max(?:imum)?(?![a-z])|以下|未満|まで|以内|より(?:安い|下))",
    ),
    (
        "at_least",
        r"(?:(?<![a-z])(?:over|above|more than|greater than|at least|min(?:imum)?|from|"
        r"starting (?:at|from))|>=?|≧|≥)\s*" + _AT,
    ),
    (
        "at_least",
        rf"{_AT}\s*(?:or (?:more|above|over|higher)|and (?:up|above|over)|\+|以上|超え?|から|〜|~"
        r"|より(?:高い|上))",
    ),
    (
        "around",
        r"(?:(?<![a-z])(?:around|about|approx(?:imately|\.)?|roughly|circa)|~|〜|約|大体|だいたい)"
        r"\s*" + _AT,
    ),
    ("around", rf"{_AT}\s*(?:-?ish(?![a-z])|or so|くらい|ぐらい|位|程度|前後|ほど|程)"),
)
_FORM_RES = tuple((kind, re.compile(pattern)) for kind, pattern in _FORMS)


@dataclass(frozen=True, slots=True)
class PriceRange:
    """A yen range; ``start`` indexes the message it was found in."""

    low: int | None
    high: int | None
    start: int

    @property
    def value(self) -> str:
        return f"{'' if self.low is None else self.low}-{'' if self.high is None else self.high}"


def parse_amount(text: str) -> int | None:
    """Yen in "1,500", "1.5k", 「千五百」, "1万5千"; None when it is no number."""
    text = re.sub(r"[\s,]", "", text)
    if text.endswith("k"):
        return _round(float(text[:-1]) * 1_000) if _is_decimal(text[:-1]) else None
    total = section = 0
    number: float | None = None
    kanji_digits = False
    for token in re.findall(rf"\d+(?:\.\d+)?|[{_KANJI}]", text):
        if token in _KANJI_DIGITS:
            digit = _KANJI_DIGITS[token]
            # 二〇〇〇 is read digit by digit.
            number = digit if number is None or not kanji_digits else number * 10 + digit
            kanji_digits = True
            continue
        kanji_digits = False
        if token[0].isdigit():
            number = float(token)
        elif token in _KANJI_UNITS:
            section += _round((1 if number is None else number) * _KANJI_UNITS[token])
            number = None
        else:  # 万
            total += _round((section + (number or 0) or 1) * 10_000)
            section, number = 0, None
    amount = total + section + _round(number or 0)
    return amount if text else None


def _is_decimal(text: str) -> bool:
    return re.fullmatch(r"\d+(?:\.\d+)?", text) is not None


def _round(value: float) -> int:
    # Half up, unlike round(): 0.8 * 805 is 644, 1.2 * 805 is 966.
    return int(value + 0.5)


def _at_most(match: re.Match[str]) -> tuple[int | None, int | None]:
    return None, parse_amount(match["at"])


def _at_least(match: re.Match[str]) -> tuple[int | None, int | None]:
    return parse_amount(match["at"]), None


def _around(match: re.Match[str]) -> tuple[int | None, int | None]:
    amount = parse_amount(match["at"])
    if amount is None:
        return None, None
    return _round(amount * (1 - AROUND_SHARE)), _round(amount * (1 + AROUND_SHARE))


def _between(match: re.Match[str]) -> tuple[int | None, int | None]:
    low, high = parse_amount(match["low"]), parse_amount(match["high"])
    if low is None or high is None:
        return None, None
    return min(low, high), max(low, high)


_BOUNDS: dict[str, Callable[[re.Match[str]], tuple[int | None, int | None]]] = {
    "range": _between,
    "at_most": _at_most,
    "at_least": _at_least,
    "around": _around,
}


def find_price_ranges(normalized: str) -> list[PriceRange]:
    """The price ranges in ``normalized`` (NFKC-folded, lowercased), in order of appearance.

    Where two readings overlap, the one that starts first wins, then the longer:
    「500円から1000円まで」 is one range, not "500-1000" and "-1000".
    """
    if not _YEN_RE.search(normalized):
        return []
    found: list[tuple[int, int, int | None, int | None]] = []
    for kind, pattern in _FORM_RES:
        for match in pattern.finditer(normalized):
            low, high = _BOUNDS[kind](match)
            if (low is not None or high is not None) and _YEN_RE.search(match.group()):
                found.append((match.start(), match.end(), low, high))
    found.sort(key=lambda one: (one[0], -one[1]))
    ranges: list[PriceRange] = []
    taken = -1
    for start, end, low, high in found:
        if start >= taken:
            ranges.append(PriceRange(low, high, start))
            taken = end
    return ranges
