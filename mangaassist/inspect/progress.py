"""A progress bar on stderr for the operator tools; drawn only when stderr is a terminal.

Piped or captured output gets no bar (no carriage returns in logs), only the
lines the tool prints with :meth:`ProgressBar.say`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

FULL, EMPTY = "█", "░"


def render_bar(label: str, done: int, total: int, unit: str, width: int = 24) -> str:
    """``[label] ██████░░░░ 60% 6/10 unit``; an unknown total (0) shows the count only."""
    if total <= 0:
        return f"[{label}] {done:,} {unit}"
    total = max(total, done)  # a topic may grow past the end seen at the start
    share = min(1.0, max(0.0, done / total))
    filled = round(share * width)
    bar = FULL * filled + EMPTY * (width - filled)
    return f"[{label}] {bar} {share:4.0%} {done:,}/{total:,} {unit}"


class ProgressBar:
    """Redraws one line in place; at most every ``min_interval_s`` except at the end."""

    def __init__(
        self,
        label: str,
        unit: str,
        *,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        min_interval_s: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._min_interval_s = min_interval_s
        self._clock = clock
        self._last_draw = float("-inf")
        self._drawn = 0  # width of the line on screen, 0 when none

    def update(self, done: int, total: int, unit: str | None = None) -> None:
        if not self.enabled:
            return
        now = self._clock()
        if done < total and now - self._last_draw < self._min_interval_s:
            return
        self._last_draw = now
        self._draw(render_bar(self.label, done, total, unit or self.unit))

    def say(self, message: str) -> None:
        """A line of its own (always printed), the bar redrawn below it on the next update."""
        self._clear()
        print(f"[{self.label}] {message}", file=self.stream, flush=True)

    def finish(self) -> None:
        """Leave the last bar on screen and move to a new line."""
        if self._drawn:
            print(file=self.stream, flush=True)
            self._drawn = 0

    def _draw(self, text: str) -> None:
        padding = " " * max(0, self._drawn - len(text))
        print(f"\r{text}{padding}", end="", file=self.stream, flush=True)
        self._drawn = len(text)

    def _clear(self) -> None:
        if self._drawn:
            print("\r" + " " * self._drawn + "\r", end="", file=self.stream, flush=True)
            self._drawn = 0
