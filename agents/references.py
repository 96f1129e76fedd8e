"""Which earlier item a message points at: "the second one", "that one", "2つ目", "それ".

The candidates are the items the last reply showed, in the order shown
(:meth:`connectors.memory.models.Conversation.last_shown`). An ordinal picks
one; "it"/"that one"/「それ」 picks the only one shown, and is ambiguous when
several were. "The first volume of it" / 「それの1巻」 keeps the item and adds
the volume, which retrieval turns into that volume of the same series.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agents.text import normalize
from connectors.memory.models import ShownItem
from schemas.events import Entity

REFERENCE = "reference"
AMBIGUOUS = "ambiguous"
_KANJI_DIGITS = str.maketrans("一二三四五六七八九", "123456789")
_EN_ORDINALS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "last": -1, "latter": -1, "former": 1, "top": 1,
}  # fmt: skip
_EN_ORDINAL = "|".join(_EN_ORDINALS)
_THING = r"(?:one|item|book|title|result|option|manga|series|order|choice|pick|suggestion)s?"
_EN_POINTER = (
    r"it|that|this|them|that one|this one|the series|that series|this series"
    r"|the one you (?:mentioned|showed|suggested|recommended)"
)
_EN_VOLUME_OF = re.compile(
    rf"(?<![a-z])(?:(?P<ord>{_EN_ORDINAL})|(?:vol(?:ume)?\.?\s*)(?P<num>\d{{1,3}}))"
    rf"(?:\s+volume)?\s+of\s+(?:{_EN_POINTER})(?![a-z])"
)
_EN_ITEM_ORDINAL = re.compile(
    rf"(?<![a-z])(?:the\s+)?(?P<ord>{_EN_ORDINAL})(?:\s+{_THING}|\s+(?:you|on the list))"
    rf"|(?<![a-z])(?:number|no\.|option|item)\s*(?P<num>[1-9])(?!\d)"
)
_EN_ANAPHORA = re.compile(
    r"(?<![a-z])(?:that one|this one|that book|this book|that series|this series|that title"
    r"|the one you (?:mentioned|showed|suggested|recommended)|it|that|them)(?![a-z'])"
)
_JA_VOLUME_OF = re.compile(
    r"(?:それ|その(?:作品|シリーズ|漫画|マンガ|本)?|あれ|さっきの(?:作品|やつ|本)?)の?\s*"
    r"(?:第\s*(?P<num1>\d{1,3})\s*巻|(?P<num2>\d{1,3})\s*巻|(?P<first>最初の巻|一番最初))"
)
_JA_ITEM_ORDINAL = re.compile(
    r"(?P<num>[1-9])\s*(?:つ目|つめ|個目|番目|冊目|番の)|(?P<first>最初の|一番上の|1番上の)"
    r"|(?P<last>最後の|一番下の)"
)
_JA_ANAPHORA = re.compile(
    r"それ|その(?:本|作品|シリーズ|漫画|マンガ|巻)|あれ|さっきの|さっき(?:の|言って|紹介|教えて)"
    r"|これ|この本|この作品|今の"
)


@dataclass(frozen=True, slots=True)
class Resolution:
    """Entities a reference stands for, plus a ``reference`` entity saying how it resolved."""

    entities: tuple[Entity, ...]

    @property
    def ambiguous(self) -> bool:
        return Entity(kind=REFERENCE, value=AMBIGUOUS) in self.entities


NOTHING = Resolution(())


def resolve_references(text: str, shown: Sequence[ShownItem]) -> Resolution:
    """What ``text`` points at among ``shown``, or :data:`NOTHING`."""
    if not shown:
        return NOTHING
    folded = normalize(text).translate(_KANJI_DIGITS)
    volume = _volume_of_it(folded)
    if volume is not None:
        if len(shown) != 1 and _ordinal(folded) is None:
            return _ambiguous(shown)
        position = _ordinal(folded) or 1
        picked = _pick(shown, position)
        if picked is None:
            return NOTHING
        return Resolution(
            (
                *_entities(picked),
                Entity(kind="volume", value=str(volume)),
                _how(f"volume-of:{position}"),
            )
        )
    ordinal = _ordinal(folded)
    if ordinal is not None:
        picked = _pick(shown, ordinal)
        return Resolution((*_entities(picked), _how(f"ordinal:{ordinal}"))) if picked else NOTHING
    if _EN_ANAPHORA.search(folded) or _JA_ANAPHORA.search(folded):
        if len(shown) == 1:
            return Resolution((*_entities(shown[0]), _how("anaphora")))
        return _ambiguous(shown)
    return NOTHING


def _volume_of_it(folded: str) -> int | None:
    match = _EN_VOLUME_OF.search(folded)
    if match:
        if match["num"]:
            return int(match["num"])
        ordinal = _EN_ORDINALS[match["ord"]]
        return ordinal if ordinal > 0 else None
    match = _JA_VOLUME_OF.search(folded)
    if match:
        return 1 if match["first"] else int(match["num1"] or match["num2"])
    return None


def _ordinal(folded: str) -> int | None:
    match = _EN_ITEM_ORDINAL.search(folded)
    if match:
        return int(match["num"]) if match["num"] else _EN_ORDINALS[match["ord"]]
    match = _JA_ITEM_ORDINAL.search(folded)
    if match:
        if match["num"]:
            return int(match["num"])
        return 1 if match["first"] else -1
    return None


def _pick(shown: Sequence[ShownItem], position: int) -> ShownItem | None:
    index = position - 1 if position > 0 else len(shown) + position
    return shown[index] if 0 <= index < len(shown) else None


def _entities(item: ShownItem) -> tuple[Entity, ...]:
    if item.kind == "order":
        return (Entity(kind="order_id", value=item.id),)
    kind = "series" if item.id.startswith("series-") else "asin"
    return (Entity(kind=kind, value=item.id),)


def _ambiguous(shown: Sequence[ShownItem]) -> Resolution:
    candidates = tuple(entity for item in shown for entity in _entities(item))
    return Resolution((*candidates, Entity(kind=REFERENCE, value=AMBIGUOUS)))


def _how(value: str) -> Entity:
    return Entity(kind=REFERENCE, value=value)
