"""Stage 4: other stores named in a reply.

Names come from ``GuardSettings.competitor_names`` and match whatever their
width or case ("ＡＭＡＺＯＮ", "amazon"). Latin names must stand as words
("Amazoness" is a character, not the store); 楽天 is not matched inside
楽天的 ("optimistic"). The guard then removes the sentence or masks the name,
as ``competitor_action`` says.
"""

from __future__ import annotations

import re
from functools import lru_cache

from agents.guard.folding import Folded, fold, fold_with_map

# Words a Japanese store name is often the start of, without being the store.
_JA_NOT_AFTER = "(?!的|家|主義|観)"


@lru_cache(maxsize=16)
def competitor_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for all ``names`` (folded), longest first; None for no names."""
    alternatives = []
    for name in sorted(
        {fold(name).strip() for name in names if name.strip()}, key=len, reverse=True
    ):
        escaped = re.escape(name).replace(r"\ ", r"\s*")
        if name.isascii():
            alternatives.append(f"(?<![0-9a-z]){escaped}(?![0-9a-z])")
        else:
            alternatives.append(escaped + _JA_NOT_AFTER)
    return re.compile("|".join(alternatives)) if alternatives else None


def find_competitors(text: str, names: tuple[str, ...]) -> list[tuple[int, int]]:
    """Where ``text`` names one of ``names``, as spans of the original text."""
    pattern = competitor_pattern(names)
    if pattern is None or not text:
        return []
    folded: Folded = fold_with_map(text)
    return [folded.span(*match.span()) for match in pattern.finditer(folded.text)]
