"""Pull a volume number and a format out of a catalog query, leaving the words to match."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from connectors.store.models import ItemFormat

# Run on NFKC-folded, lowercased text, so ３巻 arrives as 3巻 and ＶＯＬ as vol.
_VOLUME_RES = (
    re.compile(r"(?<![a-z])(?:vol(?:ume)?|v|#)\.?\s*(\d{1,3})(?!\d)"),
    re.compile(r"第?\s*(\d{1,3})\s*巻"),
    # A number closing a query that has words before it: "kenshi 3".
    re.compile(r"(?<=\D)\s(\d{1,3})\s*$"),
)
_FORMAT_RES: tuple[tuple[ItemFormat, re.Pattern[str]], ...] = (
    (
        "special_edition",
        re.compile(r"(?<![a-z])(?:special|limited) editions?(?![a-z])|特装版|限定版"),
    ),
    ("box_set", re.compile(r"(?<![a-z])box ?sets?(?![a-z])|全巻セット|ボックスセット|セット")),
    (
        "kindle",
        re.compile(r"(?<![a-z])(?:kindle|e-?books?|digital)(?![a-z])(?:版)?|電子書籍|電子版"),
    ),
    ("paperback", re.compile(r"(?<![a-z])paperbacks?(?![a-z])|単行本|紙の本")),
)


class CatalogQuery(NamedTuple):
    text: str
    volume: int | None
    format: ItemFormat | None


def parse_query(query: str) -> CatalogQuery:
    text = unicodedata.normalize("NFKC", query).lower()
    item_format: ItemFormat | None = None
    for candidate, pattern in _FORMAT_RES:
        text, found = pattern.subn(" ", text)
        if found and item_format is None:
            item_format = candidate
    volume = None
    for pattern in _VOLUME_RES:
        match = pattern.search(text)
        if match:
            volume = int(match.group(1))
            text = text[: match.start()] + " " + text[match.end() :]
            break
    return CatalogQuery(" ".join(text.split()), volume, item_format)
