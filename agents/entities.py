"""Entities worth pulling out of a shopper's message.

Product ids, orders, volumes and formats come from one regex; series titles,
genres and demographics from the catalog's gazetteer (:mod:`agents.gazetteer`);
price ranges from :mod:`agents.prices`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agents.gazetteer import LabelFinder, SeriesGazetteer
from agents.prices import find_price_ranges
from agents.text import normalize
from connectors.store.folding import fold
from schemas.events import Entity

# (group name, entity kind, pattern), joined into one pattern so the text is
# scanned once. At one position the first alternative wins: an order id is
# never read as an ISBN. The patterns run on NFKC-folded, lowercased text and use
# ASCII lookarounds, not \b: kana are word characters, so \b finds no boundary
# in "b0abcdefghの在庫".
_ALTERNATIVES: tuple[tuple[str, str, str], ...] = (
    ("order_id", "order_id", r"(?<![0-9a-z-])(?:\d{3}|d\d{2})-\d{7}-\d{7}(?![0-9a-z-])"),
    ("isbn", "isbn", r"(?<![0-9a-z-])\d(?:-?\d){8,11}-?[\dx](?![0-9a-z-])"),
    ("asin", "asin", r"(?<![0-9a-z])b0[0-9a-z]{8}(?![0-9a-z])"),
    ("volume_en", "volume", r"(?<![a-z])vol(?:ume)?\.?\s*\d{1,4}(?!\d)"),
    ("volume_ja", "volume", r"第?\s*(?<!\d)\d{1,4}\s*巻"),
    ("paperback", "format", r"(?<![a-z])paperbacks?(?![a-z])|単行本|文庫"),
    ("kindle", "format", r"(?<![a-z])(?:kindle|e-?books?)(?![a-z])|電子書籍|電子版"),
    ("box_set", "format", r"(?<![a-z])box ?sets?(?![a-z])|全巻セット|ボックスセット"),
    (
        "special_edition",
        "format",
        r"(?<![a-z])(?:special|limited) editions?(?![a-z])|特装版|限定版",
    ),
)
_ENTITY_RE = re.compile("|".join(f"(?P<{name}>{pattern})" for name, _, pattern in _ALTERNATIVES))
_KIND_OF_GROUP = {name: kind for name, kind, _ in _ALTERNATIVES}


def _isbn_ok(digits: str) -> bool:
    if len(digits) == 13 and digits.isdigit() and digits.startswith(("978", "979")):
        total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
        return total % 10 == 0
    if len(digits) == 10 and digits[:9].isdigit():
        values = [int(d) for d in digits[:9]] + [10 if digits[9] == "X" else int(digits[9])]
        return sum(v * (10 - i) for i, v in enumerate(values)) % 11 == 0
    return False


def _value(kind: str, group: str, found: str) -> str | None:
    if kind == "volume":
        return str(int("".join(filter(str.isdigit, found))))
    if kind == "format":
        return group.replace("_", " ")
    if kind == "isbn":
        digits = found.replace("-", "").upper()
        return digits if _isbn_ok(digits) else None
    return found.upper()


def extract_entities(text: str) -> tuple[Entity, ...]:
    """The entities in ``text``, in order of appearance, each (kind, value) once.

    Values are normalised: ids upper-case, ISBNs without hyphens, volumes
    without leading zeros, formats as an English word or phrase, series as
    catalog ids, genres and demographics as catalog ids, price ranges as
    "MIN-MAX" in yen with an open side empty.
    """
    # NFKC turns full-width digits and letters (as in ３巻) into ASCII.
    normalized = normalize(text)
    found: list[tuple[int, Entity]] = []
    for match in _ENTITY_RE.finditer(normalized):
        group = match.lastgroup or ""
        kind = _KIND_OF_GROUP[group]
        value = _value(kind, group, match.group())
        if value is not None:
            found.append((match.start(), Entity(kind=kind, value=value)))
    found.extend(
        (label.start, Entity(kind=label.kind, value=label.value))
        for label in LabelFinder.bundled().find(normalized)
    )
    found.extend(
        (price.start, Entity(kind="price_range", value=price.value))
        for price in find_price_ranges(normalized)
    )
    folded = fold(normalized)
    found.extend(
        (
            _unfolded_position(normalized, folded, series.start),
            Entity(kind="series", value=series.series_id),
        )
        for series in SeriesGazetteer.bundled().find(folded)
    )
    found.sort(key=lambda one: one[0])
    return tuple(dict.fromkeys(entity for _, entity in found))


def _unfolded_position(normalized: str, folded: str, position: int) -> int:
    """Where ``position`` in ``folded`` falls in ``normalized``.

    Folding only ever shortens (a romaji long vowel loses a letter), so the
    answer is the shortest prefix of ``normalized`` that folds past ``position``.
    """
    if len(folded) == len(normalized):
        return position
    low, high = position, len(normalized)
    while low < high:
        middle = (low + high) // 2
        if len(fold(normalized[: middle + 1])) > position:
            high = middle
        else:
            low = middle + 1
    return low


def first_entity(entities: Sequence[Entity], kind: str) -> str | None:
    """The value of the first entity of ``kind``, if the turn named one."""
    return next((entity.value for entity in entities if entity.kind == kind), None)
