"""``mangaassist bench-bridge``: the WebSocket bridge alone, with a stub pipeline.

The bridge runs in a child process (:mod:`bridge.bench_server`) with the
in-memory publisher and an echo pipeline, so the figures are the edge's own:

1. the bridge process's memory per idle authenticated WebSocket (one session each);
2. the relay latency (client send → ack, first ``chunk``, ``final``) while the
   idle sockets stay open and a smaller set of sockets chat at a steady pace;
3. the floor: WebSocket echo round trips with the same client library, measured
   in the same run on a websockets echo server and on a Starlette echo route
   under the bridge's uvicorn settings.

JSON goes to stdout, progress to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from bridge.exceptions import BridgeError
from mangaassist.bench import SAMPLE_TEXTS, emit_json, percentiles, progress

# The bench server's ready line and echo route, shared with bridge.bench_server; kept
# here so that the command line can load this module without the bridge app.
READY = "READY"
ECHO_PATH = "/echo"
# Used when the hard limit is unlimited (the kernel refuses an unlimited soft limit).
FALLBACK_OPEN_FILES = 65_536


def raise_open_file_limit() -> int:
    """Raise this process's soft limit on open files as far as allowed; return the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = FALLBACK_OPEN_FILES if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


PIPELINE = "stub (in-process echo, no Kafka)"
# websockets' documented memory per connection with its default settings
# (https://websockets.readthedocs.io/en/stable/topics/memory.html).
REFERENCE_KIB_PER_CONNECTION = 64
OPEN_CONCURRENCY = 50
PROGRESS_EVERY = 500
FLOOR_WARMUP_TRIPS = 10
READY_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
SETTLE_S = 1.0
# Besides the sockets: the HTTP client's connections, log files, the event loop's own.
SPARE_FILES = 100


class BridgeBenchError(BridgeError):
    """The bridge benchmark could not run or got an answer it did not expect."""


@dataclass(frozen=True)
class BridgeBenchOptions:
    idle: int = 2000
    active: int = 200
    messages: int = 10
    interval_ms: float = 150.0
    chunks: int = 3
    floor_samples: int = 300
    timeout_s: float = 300.0
    log_dir: Path = Path("var/log/bench")
    seed: int = 0


# --- the server child process ---------------------------------------------------------------


@dataclass(frozen=True)
class BenchServer:
    pid: int
    base_url: str

    @property
    def ws_url(self) -> str:
        return "ws" + self.base_url.removeprefix("http")


@asynccontextmanager
async def bench_server(mode: str, options: BridgeBenchOptions) -> AsyncIterator[BenchServer]:
    """A :mod:`bridge.bench_server` child; stopped (and reaped) on exit."""
    log_path = options.log_dir / f"bench-bridge-{mode}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bridge.bench_server", mode, "--chunks", str(options.chunks)),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
            # A terminal's Ctrl-C reaches only the benchmark, which then stops the child.
            start_new_session=True,
        )
        try:
            yield BenchServer(process.pid, await _ready_url(process, mode, log_path))
        finally:
            await _stop(process)


async def _ready_url(process: asyncio.subprocess.Process, mode: str, log_path: Path) -> str:
    assert process.stdout is not None
    try:
        line = await asyncio.wait_for(process.stdout.readline(), READY_TIMEOUT_S)
    except TimeoutError:
        line = b""
    ready, _, base_url = line.decode().strip().partition(" ")
    if ready != READY:
        raise BridgeBenchError(f"the {mode} server did not start; see {log_path}")
    return base_url


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Close the child's stdin (its signal to stop) and reap it; kill it if it lingers."""
    try:
        await asyncio.wait_for(process.communicate(b""), STOP_TIMEOUT_S)
    except TimeoutError:
        process.kill()
        await process.wait()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise BridgeBenchError(f"no VmRSS in /proc/{pid}/status")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (fields 14 and 15 of /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """The share of one core the bridge and this (client) process use from now on."""

    def __init__(self, pid: int) -> None:
        self._pid = pid
        self._wall = time.perf_counter()
        self._bridge = cpu_seconds(pid)
        self._client = time.process_time()

    def percents(self) -> dict[str, float]:
        wall = time.perf_counter() - self._wall
        return {
            "bridge_cpu_percent": round((cpu_seconds(self._pid) - self._bridge) / wall * 100),
            "client_cpu_percent": round((time.process_time() - self._client) / wall * 100),
        }


# --- sockets --------------------------------------------------------------------------------


def _connect(url: str) -> connect:
    # The bridge pings every socket itself; a browser client would not ping either.
    return connect(url, ping_interval=None, proxy=None, open_timeout=READY_TIMEOUT_S)


class SocketPool:
    """Authenticated chat sockets, each on a session of its own from ``/chat/init``."""

    def __init__(self, server: BenchServer, http: httpx.AsyncClient) -> None:
        self.sockets: list[ClientConnection] = []
        self._server = server
        self._http = http

    async def open(self, count: int, label: str) -> list[ClientConnection]:
        opened: list[ClientConnection] = []
        gate = asyncio.Semaphore(OPEN_CONCURRENCY)

        async def open_one() -> None:
            async with gate:
                opened.append(await self._open_one())
            if len(opened) % PROGRESS_EVERY == 0 or len(opened) == count:
                progress(f"opened {len(opened)}/{count} {label} sockets")

        async with asyncio.TaskGroup() as group:
            for _ in range(count):
                group.create_task(open_one())
        return opened

    async def _open_one(self) -> ClientConnection:
        response = await self._http.post("/chat/init", json={})
        response.raise_for_status()
        token = response.json()["token"]
        socket = await _connect(f"{self._server.ws_url}/chat/ws?token={token}")
        self.sockets.append(socket)  # before anything else can fail: the pool closes it
        frame = json.loads(await socket.recv())
        if frame.get("type") != "ready":
            raise BridgeBenchError(f"expected a ready frame, got {frame}")
        return socket

    async def close(self) -> None:
        await asyncio.gather(*(socket.close() for socket in self.sockets), return_exceptions=True)
        self.sockets.clear()


@asynccontextmanager
async def socket_pool(server: BenchServer) -> AsyncIterator[SocketPool]:
    # No keep-alive: uvicorn drops an idle one after 5 s, racing httpx's reuse of it.
    limits = httpx.Limits(max_connections=OPEN_CONCURRENCY, max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=server.base_url, limits=limits, trust_env=False) as http:
        pool = SocketPool(server, http)
        try:
            yield pool
        finally:
            await pool.close()


def extensions(socket: ClientConnection) -> list[str]:
    return [str(extension.name) for extension in socket.protocol.extensions]


# --- timing the replies ---------------------------------------------------------------------


@dataclass
class MessageTiming:
    sent: float
    ack: float | None = None
    first_chunk: float | None = None
    final: float | None = None
    status: str | None = None  # the final's status, or the error frame's code


@dataclass
class Conversation:
    """One socket's messages, timed from send to ack, first chunk and final."""

    socket: ClientConnection
    by_message: dict[str, MessageTiming] = field(default_factory=dict)
    by_turn: dict[str, MessageTiming] = field(default_factory=dict)
    answered: int = 0

    async def send(self, number: int) -> None:
        locale, text = SAMPLE_TEXTS[number % len(SAMPLE_TEXTS)]
        client_msg_id = f"m{number}"
        frame = {"type": "message", "text": text, "locale": locale, "client_msg_id": client_msg_id}
        self.by_message[client_msg_id] = MessageTiming(sent=time.perf_counter())
        await self.socket.send(json.dumps(frame))

    async def read_replies(self, expected: int) -> None:
        while self.answered < expected:
            self.on_frame(json.loads(await self.socket.recv()), time.perf_counter())

    def on_frame(self, frame: dict[str, Any], now: float) -> None:
        match frame.get("type"):
            case "ack":
                timing = self.by_message[frame["client_msg_id"]]
                timing.ack = now
                self.by_turn[frame["turn_id"]] = timing
            case "chunk":
                timing = self.by_turn[frame["turn_id"]]
                timing.first_chunk = timing.first_chunk or now
            case "final":
                timing = self.by_turn[frame["turn_id"]]
                timing.first_chunk = timing.first_chunk or now  # an error reply has no chunks
                self._answer(timing, now, frame["status"])
            case "error" if frame.get("turn_id") in self.by_turn:
                self._answer(self.by_turn[frame["turn_id"]], None, frame["code"])
            case "error" if frame.get("client_msg_id") in self.by_message:
                self._answer(self.by_message[frame["client_msg_id"]], None, frame["code"])
            case _:
                raise BridgeBenchError(f"unexpected frame {frame}")

    def _answer(self, timing: MessageTiming, final: float | None, status: str) -> None:
        timing.final = final
        timing.status = status
        self.answered += 1


async def converse(
    socket: ClientConnection, messages: int, interval_s: float, rng: random.Random
) -> list[MessageTiming]:
    """Send ``messages`` messages, a random start then ``interval_s`` ± ⅓ apart; time replies."""
    conversation = Conversation(socket)

    async def send_paced() -> None:
        due = time.perf_counter() + rng.uniform(0, interval_s)
        for number in range(messages):
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            await conversation.send(number)
            due += rng.uniform(interval_s * 2 / 3, interval_s * 4 / 3)

    async with asyncio.TaskGroup() as group:
        group.create_task(send_paced())
        group.create_task(conversation.read_replies(messages))
    return list(conversation.by_message.values())


async def converse_all(
    sockets: list[ClientConnection], messages: int, interval_s: float, seed: int
) -> list[MessageTiming]:
    rng = random.Random(seed)
    async with asyncio.TaskGroup() as group:
        tasks = [
            group.create_task(converse(socket, messages, interval_s, random.Random(rng.random())))
            for socket in sockets
        ]
    return [timing for task in tasks for timing in task.result()]


def _ms_since_sent(
    timings: list[MessageTiming], moment: Callable[[MessageTiming], float | None]
) -> dict[str, float]:
    return percentiles([(at - t.sent) * 1000 for t in timings if (at := moment(t)) is not None])


def summarize_relay(timings: list[MessageTiming]) -> dict[str, Any]:
    finals = [t.final for t in timings if t.final is not None]
    seconds = max(finals) - min(t.sent for t in timings) if finals else float("nan")
    return {
        "messages": len(timings),
        "finals": len(finals),
        "error_replies": sum(1 for t in timings if t.final is not None and t.status != "ok"),
        "error_frames": sum(1 for t in timings if t.final is None and t.status is not None),
        "missing_replies": sum(1 for t in timings if t.status is None),
        "ack_ms": _ms_since_sent(timings, lambda t: t.ack),
        "first_chunk_ms": _ms_since_sent(timings, lambda t: t.first_chunk),
        "final_ms": _ms_since_sent(timings, lambda t: t.final),
        "seconds": round(seconds, 3),
        "messages_per_s": round(len(finals) / seconds, 1) if finals else 0.0,
    }


# --- the phases -----------------------------------------------------------------------------


async def echo_round_trips(url: str, samples: int) -> dict[str, Any]:
    locale, text = SAMPLE_TEXTS[0]
    payload = json.dumps({"type": "message", "text": text, "locale": locale, "client_msg_id": "m0"})
    round_trips = []
    async with _connect(url) as socket:
        for trip in range(samples + FLOOR_WARMUP_TRIPS):
            started = time.perf_counter()
            await socket.send(payload)
            await socket.recv()
            if trip >= FLOOR_WARMUP_TRIPS:  # the first few pay for warming up
                round_trips.append((time.perf_counter() - started) * 1000)
    return {"samples": samples, "round_trip_ms": percentiles(round_trips)}


async def measure_floor(options: BridgeBenchOptions) -> dict[str, Any]:
    floor: dict[str, Any] = {}
    for mode in ("websockets-echo", "starlette-echo"):
        async with bench_server(mode, options) as server:
            progress(f"floor: {options.floor_samples} echo round trips on the {mode} server")
            floor[mode.replace("-", "_")] = await echo_round_trips(
                server.ws_url + ECHO_PATH, options.floor_samples
            )
    return floor


async def measure_idle(pool: SocketPool, pid: int, count: int) -> dict[str, Any]:
    rss_before = rss_mib(pid)
    started = time.perf_counter()
    opened = await pool.open(count, "idle")
    seconds = time.perf_counter() - started
    await asyncio.sleep(SETTLE_S)
    rss_after = rss_mib(pid)
    return {
        "connections": len(opened),
        "open_seconds": round(seconds, 2),
        "rss_before_mib": rss_before,
        "rss_after_mib": rss_after,
        "kib_per_connection": round((rss_after - rss_before) * 1024 / len(opened), 1),
        "reference_kib_per_connection": REFERENCE_KIB_PER_CONNECTION,
    }


async def measure_relay(
    pool: SocketPool, pid: int, idle: int, options: BridgeBenchOptions
) -> dict[str, Any]:
    active = await pool.open(options.active, "active")
    interval_s = options.interval_ms / 1000
    progress(f"warm-up: one message on each of the {options.active} active sockets")
    await converse_all(active, 1, interval_s, options.seed)
    progress(
        f"relay: {options.active} active × {options.messages} messages, "
        f"{options.interval_ms:g} ms ± ⅓ apart, {idle} idle sockets open"
    )
    cpu = CpuMeter(pid)
    timings = await converse_all(active, options.messages, interval_s, options.seed + 1)
    cpu_percents = cpu.percents()
    return {
        "idle_connections": idle,
        "active_connections": len(active),
        "messages_per_connection": options.messages,
        "interval_ms": [
            round(options.interval_ms * 2 / 3, 1),
            round(options.interval_ms * 4 / 3, 1),
        ],
        "offered_messages_per_s": round(len(active) / interval_s, 1),
        **summarize_relay(timings),
        **cpu_percents,
        "rss_after_mib": rss_mib(pid),
    }


async def measure_bridge(options: BridgeBenchOptions) -> dict[str, Any]:
    async with bench_server("bridge", options) as server, socket_pool(server) as pool:
        progress("warm-up: one socket, a few messages")
        warm = await pool.open(1, "warm-up")
        await converse_all(warm, 3, 0.01, options.seed)
        idle = await measure_idle(pool, server.pid, options.idle)
        relay = await measure_relay(pool, server.pid, idle["connections"], options)
        server_info = {
            "websocket": "uvicorn websockets-sansio (bridge.server.build_server)",
            "extensions": extensions(warm[0]),
            "chunks_per_reply": options.chunks,
        }
        progress(f"closing {len(pool.sockets)} sockets")
        return {"server": server_info, "idle": idle, "relay": relay}


def _check_open_files(options: BridgeBenchOptions) -> int:
    limit = raise_open_file_limit()
    needed = options.idle + options.active + SPARE_FILES
    if limit < needed:
        raise BridgeBenchError(f"{needed} open files needed; the hard limit allows {limit}")
    return limit


async def run_bench_bridge(options: BridgeBenchOptions) -> dict[str, Any]:
    open_files = _check_open_files(options)
    async with asyncio.timeout(options.timeout_s):
        floor = await measure_floor(options)
        bridge = await measure_bridge(options)
    floor_p50 = {name: f["round_trip_ms"]["p50"] for name, f in floor.items()}
    first_chunk_p50 = bridge["relay"]["first_chunk_ms"]["p50"]
    return {
        "pipeline": PIPELINE,
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "websockets": version("websockets"),
            "uvicorn": version("uvicorn"),
            "open_files_limit": open_files,
        },
        **bridge,
        "floor": floor,
        "relay_first_chunk_p50_over_floor": round(
            first_chunk_p50 / floor_p50["websockets_echo"], 2
        ),
        "relay_first_chunk_p50_over_starlette_floor": round(
            first_chunk_p50 / floor_p50["starlette_echo"], 2
        ),
    }


# --- the command ----------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_bench_bridge_arguments(parser: argparse.ArgumentParser) -> None:
    defaults = BridgeBenchOptions()
    parser.add_argument(
        "--idle", type=_positive_int, default=defaults.idle, help="idle authenticated sockets"
    )
    parser.add_argument(
        "--active",
        type=_positive_int,
        default=defaults.active,
        help="sockets that chat while the idle ones stay open",
    )
    parser.add_argument(
        "--messages", type=_positive_int, default=defaults.messages, help="per active socket"
    )
    parser.add_argument(
        "--interval-ms",
        type=float,
        default=defaults.interval_ms,
        help="mean gap between an active socket's messages (each gap within ± a third)",
    )
    parser.add_argument(
        "--chunks", type=_positive_int, default=defaults.chunks, help="chunks per stub reply"
    )
    parser.add_argument("--floor-samples", type=_positive_int, default=defaults.floor_samples)
    parser.add_argument(
        "--timeout-s", type=float, default=defaults.timeout_s, help="give up after this long"
    )
    parser.add_argument("--output", type=Path, help="also write the JSON here")
    parser.add_argument(
        "--log-dir", type=Path, default=defaults.log_dir, help="where the servers' logs go"
    )


def run_bench_bridge_command(args: argparse.Namespace) -> int:
    options = BridgeBenchOptions(
        idle=args.idle,
        active=args.active,
        messages=args.messages,
        interval_ms=args.interval_ms,
        chunks=args.chunks,
        floor_samples=args.floor_samples,
        timeout_s=args.timeout_s,
        log_dir=args.log_dir,
    )
    try:
        result = asyncio.run(run_bench_bridge(options))
    except TimeoutError:
        progress(f"gave up after {options.timeout_s:g} s")
        return 1
    except BridgeBenchError as exc:
        progress(str(exc))
        return 1
    emit_json(result, args.output)
    return 0
