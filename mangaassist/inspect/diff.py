"""Old and new replies side by side, or as a unified diff, sentence by sentence.

Replies are a few sentences, often on one line, so a diff by lines would show
the whole reply replaced for one changed word. Both renderings first cut a
reply into sentences (after 。！？!? or ". ", with the citations ``[n]``
that follow, and at line breaks), then diffs those. Column widths count East
Asian wide characters as two cells, so Japanese replies line up in a terminal.
"""

from __future__ import annotations

import difflib
import re
import unicodedata

# A sentence runs to 。！？!? or to a full stop before a space, with the citations after it.
_SENTENCE_RE = re.compile(r".*?(?:[。！？!?]+|\.(?=\s|$))(?:\s*\[\d+\])*|.+")


def reply_lines(text: str) -> list[str]:
    """The sentences of ``text``, line breaks kept as boundaries; surrounding spaces trimmed."""
    lines: list[str] = []
    if not text:
        return lines
    for line in text.split("\n"):
        if not line.strip():
            lines.append("")
            continue
        pieces = (piece.strip() for piece in _SENTENCE_RE.findall(line))
        lines.extend(piece for piece in pieces if piece)
    return lines


def unified_reply_diff(old: str, new: str, context: int = 2) -> list[str]:
    """``--- original`` / ``+++ replay`` hunks of sentences; empty when the texts are equal."""
    if old == new:
        return []
    diff = list(
        difflib.unified_diff(
            reply_lines(old), reply_lines(new), "original", "replay", n=context, lineterm=""
        )
    )
    if not diff:  # the sentences agree: the texts differ in spacing only
        return ["--- original", "+++ replay", f"  (whitespace differs: {old!r} → {new!r})"]
    return diff


def display_width(text: str) -> int:
    """Terminal cells ``text`` takes: wide and full-width characters two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def wrap_cells(text: str, width: int) -> list[str]:
    """``text`` in rows of at most ``width`` cells, broken at a space when one is near."""
    if width < 2:
        raise ValueError("a column needs at least two cells")
    rows: list[str] = []
    row, cells = "", 0
    for char in text:
        char_cells = display_width(char)
        if cells + char_cells > width:
            space = row.rfind(" ")
            if space > 0:  # keep the word whole: only words longer than a row are cut
                rows.append(row[:space])
                row = row[space + 1 :]
            else:
                rows.append(row)
                row = ""
            cells = display_width(row)
        row += char
        cells += char_cells
    rows.append(row)
    return rows


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def side_by_side(old: str, new: str, width: int = 100) -> list[str]:
    """Two columns, original left and replay right; the gutter says how each row changed.

    ``|`` a changed sentence, ``<`` only in the original, ``>`` only in the
    replay, blank: the same.
    """
    column = max(8, (width - 3) // 2)
    old_lines, new_lines = reply_lines(old), reply_lines(new)
    rows = [f"{_pad('original', column)}   replay", f"{'-' * column}   {'-' * column}"]
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = old_lines[i1:i2], new_lines[j1:j2]
        pairs = max(len(left), len(right))
        for index in range(pairs):
            a = left[index] if index < len(left) else None
            b = right[index] if index < len(right) else None
            if tag == "equal":
                mark = " "
            elif a is not None and b is not None:
                mark = "|"
            else:
                mark = "<" if b is None else ">"
            rows.extend(_row(a or "", b or "", column, mark))
    return rows


def _row(left: str, right: str, column: int, mark: str) -> list[str]:
    lefts, rights = wrap_cells(left, column), wrap_cells(right, column)
    count = max(len(lefts), len(rights))
    lefts += [""] * (count - len(lefts))
    rights += [""] * (count - len(rights))
    return [
        f"{_pad(a, column)} {mark if n == 0 else ' '} {b}".rstrip()
        for n, (a, b) in enumerate(zip(lefts, rights, strict=True))
    ]
