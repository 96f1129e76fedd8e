"""A seeded source of choices that stays the same across Python versions.

Only ``random.Random.random()`` is promised to repeat its sequence for a seed
in every Python version (``randrange``, ``choice`` and ``shuffle`` are not),
so every choice here is built on it.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Dice:
    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def chance(self, probability: float) -> bool:
        return self._random.random() < probability

    def between(self, low: int, high: int) -> int:
        """An integer from ``low`` to ``high``, both included."""
        return low + int(self._random.random() * (high - low + 1))

    def uniform(self, low: float, high: float) -> float:
        return low + (high - low) * self._random.random()

    def pick(self, options: Sequence[T]) -> T:
        return options[int(self._random.random() * len(options))]

    def weighted(self, options: Sequence[tuple[T, float]]) -> T:
        point = self._random.random() * sum(weight for _, weight in options)
        for option, weight in options:
            point -= weight
            if point < 0:
                return option
        return options[-1][0]

    def sample(self, options: Sequence[T], count: int) -> list[T]:
        """``count`` different elements of ``options``, in the order drawn."""
        remaining = list(options)
        return [remaining.pop(int(self._random.random() * len(remaining))) for _ in range(count)]
