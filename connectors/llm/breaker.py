"""A circuit breaker: stop calling a provider that keeps failing, and try it again later.

* **closed**: calls go through; ``failure_threshold`` failures in a row open it.
* **open**: calls fail at once with :class:`LlmCircuitOpen` for ``cooldown_s``.
* **half-open**: after the cool-down exactly one call (the trial) goes through
  while the others still fail fast; its success closes the breaker, its failure
  opens it for another cool-down. A trial abandoned without an outcome (its
  caller went away) lets the next call be the trial.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Literal

from connectors.llm.exceptions import LlmCircuitOpen
from mangaassist.errors import ConfigurationError

State = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Not thread-safe: meant for one event loop, where no two calls interleave mid-method."""

    def __init__(
        self,
        failure_threshold: int,
        cooldown_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if failure_threshold < 1:
            raise ConfigurationError(f"failure_threshold must be at least 1: {failure_threshold}")
        if cooldown_s <= 0:
            raise ConfigurationError(f"cooldown_s must be positive, not {cooldown_s}")
        self._threshold = failure_threshold
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._state: State = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False

    @property
    def state(self) -> State:
        """The state a call made now would meet: an open breaker past its cool-down is half-open."""
        if self._state == "open" and self._clock() - self._opened_at >= self._cooldown_s:
            return "half_open"
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def acquire(self) -> bool:
        """Let a call through, or raise :class:`LlmCircuitOpen`; True when it is the trial.

        Pass the returned flag to the ``record_*``/``abandon`` call that ends it.
        """
        if self._state == "closed":
            return False
        if self._state == "open":
            remaining = self._cooldown_s - (self._clock() - self._opened_at)
            if remaining > 0:
                raise LlmCircuitOpen(
                    f"LLM circuit breaker open after {self._failures} failures in a row; "
                    f"next trial in {remaining:.1f} s"
                )
            self._state = "half_open"
        if self._trial_running:
            raise LlmCircuitOpen("LLM circuit breaker half-open: a trial call is under way")
        self._trial_running = True
        return True

    def record_success(self, trial: bool = False) -> None:
        self._state = "closed"
        self._failures = 0
        if trial:
            self._trial_running = False

    def record_failure(self, trial: bool = False) -> None:
        self._failures += 1
        if self._state == "half_open" or self._failures >= self._threshold:
            self._state = "open"
            self._opened_at = self._clock()
        if trial:
            self._trial_running = False

    def abandon(self, trial: bool = False) -> None:
        """A call ended with no outcome: free the trial slot if it held it, count nothing."""
        if trial:
            self._trial_running = False
