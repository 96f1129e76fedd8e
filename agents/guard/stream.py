"""Checking a streamed reply sentence by sentence, releasing only what has been checked.

:meth:`StreamGuard.feed` takes each chunk as it comes and returns the pieces
that are safe to show now: every complete sentence, checked. An unfinished
sentence is held back until its end arrives, so a phone number or an address
split across two chunks is still seen whole and masked. A sentence that fails
a sentence stage (competitor, grounding) is replaced by a short notice; a
blocking finding (a leaked prompt, an obeyed injection, abuse) replaces the
rest of the reply with the fallback message and ends the stream. Pieces come
out in order and never change once released.

A sentence that never ends (no stop for ``stream_max_pending_chars``) is
released in parts, each cut at a space or comma that splits no personal data.
"""

from __future__ import annotations

import re

from agents.guard import templates
from agents.guard.formatting import SCRIPT_RE
from agents.guard.guard import Guard, trailing_space
from agents.guard.model import Category, Finding, GroundingContext, SafePiece, sorted_categories
from agents.guard.pii import find_pii
from agents.guard.sentences import complete_prefix, sentence_ends
from schemas.events import Locale

# Keep this much of an over-long sentence back, so data that starts near the
# end of what has come so far is not cut before it is complete.
_HOLD_BACK_CHARS = 64
_OPEN_BLOCK_RE = re.compile(r"<\s*(script|style|iframe)\b(?![\s\S]*<\s*/\s*\1\s*>)", re.IGNORECASE)
_BREAK_RE = re.compile(r"[\s、，,]")


def _units(text: str) -> list[str]:
    """The sentences of ``text``, a ``<script>`` block never split between two of them."""
    blocks = [match.span() for match in SCRIPT_RE.finditer(text)] if "<" in text else []
    units: list[str] = []
    start = 0
    for end in sentence_ends(text):
        if end > start and not any(first < end < last for first, last in blocks):
            units.append(text[start:end])
            start = end
    if start < len(text):
        units.append(text[start:])
    return units


class StreamGuard:
    """One streamed reply's guard. Not thread-safe: one per reply."""

    def __init__(
        self, guard: Guard, context: GroundingContext | None = None, locale: Locale | None = None
    ) -> None:
        self._guard = guard
        self._facts = guard.turn_facts(context)
        self._locale = locale
        self._buffer = ""
        self._emitted = 0
        self._finished = False
        self._previous_removed = False
        self._findings: list[Finding] = []

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Everything found so far, in order."""
        return tuple(self._findings)

    @property
    def categories(self) -> tuple[Category, ...]:
        return sorted_categories(finding.category for finding in self._findings)

    @property
    def blocked(self) -> bool:
        return any(finding.action == "block" for finding in self._findings)

    def feed(self, chunk_text: str) -> list[SafePiece]:
        """The pieces of the reply that are safe to release after ``chunk_text``."""
        if self._finished or not chunk_text:
            return []
        self._buffer += chunk_text
        cut = complete_prefix(self._buffer)
        open_block = _OPEN_BLOCK_RE.search(self._buffer, 0, cut) if "<" in self._buffer else None
        if open_block:
            cut = open_block.start()
        if not cut and len(self._buffer) > self._guard.settings.stream_max_pending_chars:
            cut = self._forced_cut()
        ready, self._buffer = self._buffer[:cut], self._buffer[cut:]
        return self._release(_units(ready)) if ready else []

    def close(self) -> list[SafePiece]:
        """The rest of the reply, checked; the stream takes no more chunks after this."""
        if self._finished:
            return []
        rest, self._buffer = self._buffer, ""
        pieces = self._release(_units(rest)) if rest else []
        self._finished = True
        return pieces

    def _forced_cut(self) -> int:
        """Where to release part of an over-long unfinished sentence (0: not yet).

        At the last space or comma before the held-back tail that splits no
        personal data; without one, at the tail, moved back before any data it
        would split.
        """
        limit = len(self._buffer) - _HOLD_BACK_CHARS
        if limit <= 0:
            return 0
        spans = find_pii(self._buffer)
        for match in reversed(list(_BREAK_RE.finditer(self._buffer, 0, limit))):
            cut = match.end()
            if not any(span.start < cut < span.end for span in spans):
                return cut
        cut = limit
        for span in spans:
            if span.start < cut < span.end:
                cut = span.start if span.start > 0 else span.end
        return cut

    def _language(self, text: str) -> Locale:
        if self._locale is None:
            self._locale = self._guard.locale_of(text)
        return self._locale

    def _release(self, sentences: list[str]) -> list[SafePiece]:
        guard = self._guard
        settings = guard.settings
        pieces: list[SafePiece] = []
        for sentence in sentences:
            if self._finished:
                break
            if not settings.enabled:
                pieces.append(SafePiece(sentence, False))
                continue
            locale = self._language(sentence)
            blocking = guard.blocking_findings(sentence, "output")
            if blocking:
                self._findings.extend(blocking)
                self._finished = True
                fallback = templates.REPLY_FALLBACK.render(locale)
                pieces.append(
                    SafePiece(fallback, True, sorted_categories(f.category for f in blocking))
                )
                break
            cleaned, findings = guard.clean(sentence, "output")
            self._findings.extend(findings)
            checked = guard.check_sentence(cleaned, "output", self._facts, locale)
            self._findings.extend(checked.findings)
            categories = sorted_categories([*(f.category for f in findings), *checked.categories])
            if checked.removed:
                if not self._previous_removed:
                    notice = templates.SENTENCE_REMOVED.render(locale) + trailing_space(sentence)
                    pieces.append(self._counted(SafePiece(notice, True, categories)))
                self._previous_removed = True
                continue
            self._previous_removed = False
            piece = self._capped(SafePiece(checked.text, False, categories))
            if piece is not None:
                pieces.append(piece)
        return pieces

    def _counted(self, piece: SafePiece) -> SafePiece:
        self._emitted += len(piece.text)
        return piece

    def _capped(self, piece: SafePiece) -> SafePiece | None:
        """``piece`` within the length cap: whole, cut (first piece only), or None."""
        settings = self._guard.settings
        if not (
            settings.enabled and settings.length_enabled and "output" in settings.length_directions
        ):
            return self._counted(piece)
        room = settings.max_chars - self._emitted
        if len(piece.text) <= room:
            return self._counted(piece)
        self._finished = True
        self._findings.append(Finding("length", "correct", f"cut to {self._emitted} characters"))
        if self._emitted:
            return None
        cut = piece.text[: settings.max_chars - 1] + "…"
        return self._counted(
            SafePiece(cut, piece.replaced, sorted_categories([*piece.categories, "length"]))
        )
