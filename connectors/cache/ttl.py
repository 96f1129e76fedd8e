"""L1: a bounded, in-process LRU map whose entries expire."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from typing import Generic, TypeVar

from mangaassist.errors import ConfigurationError

V = TypeVar("V")


class TtlCache(Generic[V]):
    """At most ``max_size`` entries, each forgotten ``ttl_s`` after it was put.

    ``get`` and ``put`` are O(1): an ``OrderedDict`` kept in least-recently-used
    order. Past ``max_size`` the least recently used entry is evicted; expired
    entries are dropped when met. ``max_size`` 0 turns the cache off (nothing is
    kept). Values are never None: ``get`` answers None for a miss.
    """

    def __init__(
        self, max_size: int, ttl_s: float, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_size < 0:
            raise ConfigurationError(f"max_size must not be negative, not {max_size}")
        if ttl_s <= 0:
            raise ConfigurationError(f"ttl_s must be positive, not {ttl_s}")
        self.max_size = max_size
        self.ttl_s = ttl_s
        self._clock = clock
        self._entries: OrderedDict[str, tuple[V, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> V | None:
        held = self._entries.get(key)
        if held is None:
            return None
        value, expires_at = held
        if expires_at <= self._clock():
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def get_many(self, keys: Iterable[str]) -> dict[str, V]:
        """The live entries among ``keys``; missing and expired keys are left out."""
        found: dict[str, V] = {}
        for key in keys:
            value = self.get(key)
            if value is not None:
                found[key] = value
        return found

    def put(self, key: str, value: V, ttl_s: float | None = None) -> None:
        """Keep ``value`` for ``ttl_s`` (the cache's TTL when None)."""
        if self.max_size == 0:
            return
        self._entries[key] = (value, self._clock() + (self.ttl_s if ttl_s is None else ttl_s))
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_size:
            self._entries.popitem(last=False)

    def put_many(self, values: Mapping[str, V], ttl_s: float | None = None) -> None:
        for key, value in values.items():
            self.put(key, value, ttl_s)

    def delete_many(self, keys: Iterable[str]) -> int:
        """Forget ``keys``; returns how many were held. Unknown keys are not an error."""
        return sum(self._entries.pop(key, None) is not None for key in keys)

    def clear(self) -> None:
        self._entries.clear()
