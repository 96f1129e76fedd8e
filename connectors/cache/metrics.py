"""Cache counters, and their Prometheus text exposition (format 0.0.4, no client library).

One :class:`CacheMetrics` registry is shared by every cache of a process.
``render_prometheus`` turns it into the text a Prometheus scrape expects; mount
it on an HTTP route (the bridge) or serve it with :func:`serve_metrics` (a
worker, which has no web server of its own).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
Tier = Literal["l1", "l2"]
Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Family:
    name: str
    kind: Literal["counter", "gauge"]
    help: str


HITS = _Family("mangaassist_cache_hits_total", "counter", "Keys a cache tier answered.")
MISSES = _Family("mangaassist_cache_misses_total", "counter", "Keys a cache tier did not hold.")
ORIGIN_LOADS = _Family(
    "mangaassist_cache_origin_loads_total", "counter", "Batched calls to the origin."
)
ORIGIN_KEYS = _Family("mangaassist_cache_origin_keys_total", "counter", "Keys asked of the origin.")
JOINED = _Family(
    "mangaassist_cache_singleflight_joins_total",
    "counter",
    "Keys that waited for a load already in flight instead of loading again.",
)
INVALIDATED = _Family(
    "mangaassist_cache_invalidated_keys_total", "counter", "Keys invalidated in this process."
)
UNREADABLE = _Family(
    "mangaassist_cache_unreadable_values_total",
    "counter",
    "Values in Redis that did not decode; read as misses and written over.",
)
REDIS_ERRORS = _Family(
    "mangaassist_cache_redis_errors_total", "counter", "Redis calls that failed or timed out."
)
REDIS_SKIPPED = _Family(
    "mangaassist_cache_redis_skipped_total",
    "counter",
    "Redis calls not attempted because Redis failed moments before.",
)
L1_ENTRIES = _Family("mangaassist_cache_l1_entries", "gauge", "Entries held in the L1 cache.")
_FAMILIES = (
    HITS,
    MISSES,
    ORIGIN_LOADS,
    ORIGIN_KEYS,
    JOINED,
    INVALIDATED,
    UNREADABLE,
    REDIS_ERRORS,
    REDIS_SKIPPED,
    L1_ENTRIES,
)


class CacheMetrics:
    """Counters by family and labels; gauges read from callbacks at render time."""

    def __init__(self) -> None:
        self._counters: defaultdict[_Family, defaultdict[Labels, float]] = defaultdict(
            lambda: defaultdict(float)
        )
        self._gauges: dict[_Family, dict[Labels, Callable[[], float]]] = defaultdict(dict)

    def inc(self, family: _Family, amount: float = 1, **labels: str) -> None:
        if amount:
            self._counters[family][tuple(sorted(labels.items()))] += amount

    def gauge(self, family: _Family, read: Callable[[], float], **labels: str) -> None:
        """Report ``read()`` under ``labels`` at every render (replaces an earlier callback)."""
        self._gauges[family][tuple(sorted(labels.items()))] = read

    def count(self, family: _Family, **labels: str) -> float:
        """The sum over every series of ``family`` whose labels include ``labels``."""
        wanted = set(labels.items())
        return sum(value for key, value in self._counters[family].items() if wanted <= set(key))

    def hit_rate(self, namespace: str | None = None, tier: Tier | None = None) -> float:
        """Share of lookups a cache answered (0.0 before the first lookup).

        Without ``tier``: keys found in L1 or L2 over keys looked up. With it:
        that tier's hits over the keys that reached it. ``namespace`` narrows
        both to one cache.
        """
        scope = {"namespace": namespace} if namespace else {}
        if tier is not None:
            hits = self.count(HITS, tier=tier, **scope)
            return _ratio(hits, hits + self.count(MISSES, tier=tier, **scope))
        lookups = self.count(HITS, tier="l1", **scope) + self.count(MISSES, tier="l1", **scope)
        return _ratio(self.count(HITS, **scope), lookups)

    def snapshot(self) -> dict[str, float]:
        """Every counter series as ``name{labels}`` → value, for JSON reports."""
        return {
            f"{family.name}{_labels(labels)}": value
            for family, series in self._counters.items()
            for labels, value in sorted(series.items())
        }

    def render(self) -> str:
        lines: list[str] = []
        for family in _FAMILIES:
            series = dict(self._counters.get(family, {}))
            for labels, read in self._gauges.get(family, {}).items():
                series[labels] = float(read())
            if not series:
                continue
            lines.append(f"# HELP {family.name} {family.help}")
            lines.append(f"# TYPE {family.name} {family.kind}")
            lines.extend(
                f"{family.name}{_labels(labels)} {_number(value)}"
                for labels, value in sorted(series.items())
            )
        return "\n".join(lines) + "\n" if lines else ""


def render_prometheus(registry: CacheMetrics) -> str:
    """The registry in Prometheus' text exposition format (serve as ``PROMETHEUS_CONTENT_TYPE``)."""
    return registry.render()


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in labels) + "}"


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if value.is_integer() else repr(value)


async def serve_metrics(
    registry: CacheMetrics, host: str = "127.0.0.1", port: int = 0
) -> asyncio.Server:
    """A minimal HTTP/1.0 server answering ``GET /metrics``, for processes without a web server.

    Close it with ``server.close(); await server.wait_closed()``. Port 0 picks a
    free port: read it from ``server.sockets[0].getsockname()[1]``.
    """

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            method, path, *_ = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            if method == "GET" and path.split("?", 1)[0] == "/metrics":
                status, content_type = "200 OK", PROMETHEUS_CONTENT_TYPE
                body = render_prometheus(registry).encode()
            else:
                status, content_type, body = "404 Not Found", "text/plain", b"not found\n"
            head = (
                f"HTTP/1.0 {status}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
        except (
            OSError,
            ValueError,
            TimeoutError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
        ):
            pass  # a broken, malformed or slow scrape: drop it
        finally:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    return await asyncio.start_server(answer, host, port)
