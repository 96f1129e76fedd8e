"""``mangaassist replay SESSION_ID``: one session's turns re-run through the pipeline in a sandbox.

1. The session's ``ChatTurn`` events (``chat.turns``), what the LLM wrote for
   them (``LlmCompletion`` on ``chat.llm``) and the replies it got
   (``FinalReply`` on ``chat.responses``) are read from the real topics, as
   ``mangaassist dump`` reads them (no consumer group, nothing committed).
2. A sandbox is made: every topic again under the prefix ``replay-<id>.``
   (``ensure_topics``) and a pipeline worker of its own (``mangaassist worker
   pipeline``, app id ``replay-<id>``, so its own consumer group) with the
   conversation memory in-process, the LLM provider ``replay`` playing back
   the recorded completions, no answer cache, no Kinesis tee and no shared
   hand-off queue (so no agent is handed a replayed escalation). The bridge
   reads only un-prefixed topics and no analytics worker reads the sandbox,
   so nothing reaches a shopper or the warehouse.
3. The turns are published one at a time, in order, with their event ids,
   turn ids and timestamps, and each turn's new ``FinalReply`` is awaited
   before the next is sent (so the memory sees the conversation as it was).
4. Old and new replies are compared byte for byte; the sandbox topics are
   deleted (unless kept).

Operators change a setting for the sandbox worker with ``--env KEY=VALUE``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from pydantic import ValidationError

from connectors.kafka import ensure_topics
from connectors.llm.replay import Recording, write_recordings
from connectors.llm.settings import LlmSettings
from mangaassist.errors import ConfigurationError, MangaAssistError
from mangaassist.inspect.diff import side_by_side, unified_reply_diff
from mangaassist.inspect.dump import DumpQuery, DumpStats, Progress, ScannedRecord, scan_topic
from mangaassist.inspect.exceptions import CorruptRecord, NothingFound, ReplayError, SandboxError
from mangaassist.processes import ChildProcess
from schemas import AvroCodec, ChatTurn, FinalReply, LlmCompletion
from streams.settings import KafkaSettings
from streams.topics import LLM_COMPLETIONS, RESPONSES, TURN_ID_HEADER, TURNS, topic_name
from streams.worker import READY_LINE

# Taken out of the sandbox worker's environment: a hand-off queue shared with
# production (Redis) would put the replay's escalations in front of real agents.
UNSET_ENV = frozenset({"MANGAASSIST_HANDOFF_REDIS_URL"})
# Settings the sandbox depends on for its isolation: --env may not change them.
PROTECTED_ENV = (
    frozenset(
        {
            "MANGAASSIST_KAFKA_BOOTSTRAP_SERVERS",
            "MANGAASSIST_KAFKA_TOPIC_PREFIX",
            "MANGAASSIST_KAFKA_APP_ID",
            "MANGAASSIST_MEMORY_BACKEND",
            "MANGAASSIST_ANALYTICS_TRANSPORT",
            "MANGAASSIST_HANDOFF_BACKEND",
        }
    )
    | UNSET_ENV
)
# Fields of FinalReply a replay reports when they change (the text decides the outcome).
COMPARED_FIELDS = (
    "status",
    "path",
    "intent",
    "sources",
    "guardrail_flags",
    "error_code",
    "llm_model",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "degraded",
)
Say = Callable[[str], None]


def _quiet(message: str) -> None:
    del message


# ---------------------------------------------------------------- reading the session


@dataclass
class RecordedSession:
    """What one session went through, as the real topics hold it."""

    session_id: str
    turns: list[ChatTurn] = field(default_factory=list)
    completions: dict[str, LlmCompletion] = field(default_factory=dict)  # by turn id
    replies: dict[str, FinalReply] = field(default_factory=dict)  # first final of each turn
    # One line per record of the session that could not be decoded: turns are not replayed.
    unreadable_turns: list[str] = field(default_factory=list)
    unreadable_other: list[str] = field(default_factory=list)

    def recordings(self) -> list[Recording]:
        """The LLM recordings the sandbox's replay provider plays back."""
        questions = {turn.turn_id: turn.text for turn in self.turns}
        return [
            Recording(
                turn_id=c.turn_id,
                prompt_sha256=c.prompt_sha256,
                text=c.text,
                question=questions.get(c.turn_id),
                model=c.model,
                sources=c.sources,
                input_tokens=c.input_tokens,
                output_tokens=c.output_tokens,
                stop_reason=c.stop_reason,
            )
            for c in self.completions.values()
        ]


async def read_session(
    kafka: KafkaSettings,
    session_id: str,
    codec: AvroCodec,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    progress: Callable[[str], Progress] | None = None,
) -> RecordedSession:
    """The session's turns, LLM completions and replies; its turns must exist.

    ``since`` bounds all three topics; ``until`` only the turns replayed (their
    replies come later).
    """
    session = RecordedSession(session_id)
    seen: set[str] = set()

    def scan(spec_name: str, bounded: bool) -> tuple[DumpQuery, AsyncIterator[ScannedRecord]]:
        query = DumpQuery(
            topic=f"{kafka.topic_prefix}{spec_name}",
            session_id=session_id,
            since=since,
            until=until if bounded else None,
        )
        return query, scan_topic(
            kafka, query, codec, DumpStats(), progress(spec_name) if progress else None
        )

    query, records = scan(TURNS.name, True)
    async for record in records:
        if record.event is None:
            session.unreadable_turns.append(f"{record.where}: {record.error}")
        elif isinstance(record.event, ChatTurn) and record.event.event_id not in seen:
            seen.add(record.event.event_id)  # a redelivered or redriven turn is one turn
            session.turns.append(record.event)
    if not session.turns:
        if session.unreadable_turns:
            raise CorruptRecord(
                f"session {session_id!r} has no readable turn on {query.topic}: "
                + "; ".join(session.unreadable_turns)
            )
        window = " in the time range asked for" if since or until else ""
        raise NothingFound(f"no turns of session {session_id!r} on {query.topic}{window}")
    for spec_name in (LLM_COMPLETIONS.name, RESPONSES.name):
        _, records = scan(spec_name, False)
        async for record in records:
            event = record.event
            if event is None:
                session.unreadable_other.append(f"{record.where}: {record.error}")
            elif isinstance(event, LlmCompletion):
                session.completions.setdefault(event.turn_id, event)
            elif isinstance(event, FinalReply) and _first_final(session.replies, event):
                session.replies[event.turn_id] = event
    return session


def _first_final(replies: Mapping[str, FinalReply], reply: FinalReply) -> bool:
    """Whether ``reply`` is the turn's answer: its first final, a person's only if alone."""
    known = replies.get(reply.turn_id)
    return known is None or (known.path == "human" and reply.path != "human")


# ---------------------------------------------------------------- the sandbox


def parse_env(pairs: Sequence[str]) -> dict[str, str]:
    """``KEY=VALUE`` pairs of ``--env``; the sandbox's own isolation settings are refused."""
    env: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ReplayError(f"--env {pair!r}: expected KEY=VALUE")
        if not key.startswith("MANGAASSIST_"):
            raise ReplayError(f"--env {key}: only MANGAASSIST_ settings reach the sandbox worker")
        if key in PROTECTED_ENV:
            raise ReplayError(f"--env {key}: the sandbox sets it itself, to stay isolated")
        env[key] = value
    return env


def sandbox_env(
    kafka: KafkaSettings,
    sandbox: KafkaSettings,
    recordings: Path,
    overrides: Mapping[str, str],
    llm: LlmSettings | None = None,
) -> dict[str, str]:
    """The sandbox worker's environment on top of this process's: isolation, then ``--env``.

    The replay provider is asked for the model ids the current LLM settings
    would pick (the local provider answers as ``local-grounded`` whatever the
    tier), so prompts, and their digests, come out as they did.
    """
    try:
        llm = llm or LlmSettings()
    except ValidationError as exc:
        raise ConfigurationError(f"the LLM settings are not valid: {exc}") from exc
    env = {
        "MANGAASSIST_KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "MANGAASSIST_KAFKA_TOPIC_PREFIX": sandbox.topic_prefix,
        "MANGAASSIST_KAFKA_APP_ID": sandbox.app_id,
        "MANGAASSIST_MEMORY_BACKEND": "inprocess",
        "MANGAASSIST_ANALYTICS_TRANSPORT": "kafka",
        # No Amazon Connect and (with UNSET_ENV) no shared queue: no agent sees a replay.
        "MANGAASSIST_HANDOFF_BACKEND": "local",
        "MANGAASSIST_LLM_PROVIDER": "replay",
        "MANGAASSIST_LLM_REPLAY_RECORDINGS": str(recordings),
        "MANGAASSIST_LLM_SMALL_MODEL": llm.model_id("small"),
        "MANGAASSIST_LLM_LARGE_MODEL": llm.model_id("large"),
        "MANGAASSIST_LLM_CACHE_ENABLED": "false",
    }
    return {**env, **overrides}


class Sandbox:
    """Prefixed topics and a pipeline worker of their own, removed again by :meth:`close`."""

    def __init__(self, kafka: KafkaSettings, work_dir: Path, sandbox_id: str | None = None) -> None:
        self.id = sandbox_id or uuid.uuid4().hex[:8]
        self.app_id = f"replay-{self.id}"
        self.prefix = f"{self.app_id}."
        self.kafka = kafka.model_copy(update={"topic_prefix": self.prefix, "app_id": self.app_id})
        self.bootstrap = kafka
        self.dir = work_dir / self.app_id
        self.worker: ChildProcess | None = None

    @property
    def recordings_path(self) -> Path:
        return self.dir / "llm-recordings.jsonl"

    async def create_topics(self) -> list[str]:
        try:
            return await ensure_topics(self.kafka)
        except MangaAssistError as exc:
            raise SandboxError(f"cannot create the sandbox topics: {exc}") from exc

    async def start_worker(self, env: Mapping[str, str], timeout_s: float) -> float:
        """Start the sandbox's pipeline worker; the seconds until it said it was ready."""
        started = time.monotonic()
        self.worker = self.worker_process(env)
        self.worker.start()
        try:
            await asyncio.to_thread(self.worker.wait_ready, timeout_s)
        except MangaAssistError as exc:
            raise SandboxError(f"the sandbox worker did not start: {exc}") from exc
        return time.monotonic() - started

    def worker_process(self, env: Mapping[str, str]) -> ChildProcess:
        """The sandbox's pipeline worker, not started: this environment, ``env``, no UNSET_ENV."""
        worker = ChildProcess.mangaassist(
            "worker-pipeline",
            ["worker", "pipeline"],
            self.dir,
            env=env,
            ready_line=READY_LINE.format(role="pipeline"),
        )
        for name in UNSET_ENV:
            worker.env.pop(name, None)
        return worker

    def check_worker(self) -> None:
        worker = self.worker
        if worker is not None and worker.returncode is not None:
            raise SandboxError(
                f"the sandbox worker exited with {worker.returncode}; see {worker.log_path}"
            )

    async def stop_worker(self) -> None:
        if self.worker is not None:
            await asyncio.to_thread(self.worker.stop)

    def owns(self, topic: str) -> bool:
        """The sandbox's topics: the prefixed ones and faust's own (named by the app id)."""
        return topic.startswith(self.prefix) or topic.startswith(f"{self.app_id}-")

    async def topics(self) -> list[str]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka.bootstrap_servers)
        try:
            await admin.start()
            return sorted(t for t in await admin.list_topics() if self.owns(t))
        except KafkaError as exc:
            raise SandboxError(f"cannot list the sandbox topics: {exc}") from exc
        finally:
            await admin.close()

    async def delete_topics(self) -> list[str]:
        """Delete every topic of the sandbox; returns their names."""
        names = await self.topics()
        if not names:
            return []
        admin = AIOKafkaAdminClient(bootstrap_servers=self.kafka.bootstrap_servers)
        try:
            await admin.start()
            await admin.delete_topics(names)
        except KafkaError as exc:
            raise SandboxError(f"cannot delete the sandbox topics {names}: {exc}") from exc
        finally:
            await admin.close()
        return names


class ReplyCollector:
    """Reads the sandbox's replies and LLM completions from the beginning, by turn id."""

    def __init__(self, sandbox: KafkaSettings, codec: AvroCodec) -> None:
        self._kafka = sandbox
        self._codec = codec
        self.replies: dict[str, FinalReply] = {}
        self.completions: dict[str, LlmCompletion] = {}
        self.undecodable = 0
        self._changed = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._kafka.bootstrap_servers,
            enable_auto_commit=False,
            fetch_max_wait_ms=self._kafka.fetch_max_wait_ms,
        )
        self._consumer = consumer
        await consumer.start()
        await consumer.topics()  # metadata that knows the topics just made
        topics = [topic_name(s, self._kafka.topic_prefix) for s in (RESPONSES, LLM_COMPLETIONS)]
        partitions = [
            TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t) or ()
        ]
        if len(partitions) < len(topics):
            raise SandboxError(f"the sandbox topics {topics} are missing")
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        self._task = asyncio.create_task(self._read(consumer))

    async def _read(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=100)
            for records in batches.values():
                for record in records:
                    self._take(record.value)
            if batches:
                self._changed.set()

    def _take(self, value: bytes | None) -> None:
        try:
            event = self._codec.decode(value)
        except MangaAssistError:
            self.undecodable += 1
            return
        if isinstance(event, FinalReply) and _first_final(self.replies, event):
            self.replies[event.turn_id] = event
        elif isinstance(event, LlmCompletion):
            self.completions.setdefault(event.turn_id, event)

    async def wait_for(
        self, found: Callable[[], bool], timeout_s: float, alive: Callable[[], None]
    ) -> bool:
        """Wait until ``found()``; False after ``timeout_s``; ``alive`` raises if it died."""
        deadline = time.monotonic() + timeout_s
        while not found():
            alive()
            if self._task is not None and self._task.done():
                error = self._task.exception()
                raise SandboxError(f"reading the sandbox replies failed: {error}")
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 0.25))
        return True

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, KafkaError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()


# ---------------------------------------------------------------- results


@dataclass
class TurnResult:
    index: int  # from 1
    turn: ChatTurn
    old: FinalReply | None
    new: FinalReply | None
    old_completion: LlmCompletion | None = None
    new_completion: LlmCompletion | None = None
    seconds: float | None = None

    @property
    def identical(self) -> bool:
        """The replay's reply text is byte for byte the original's."""
        return (
            self.old is not None
            and self.new is not None
            and self.old.text.encode() == self.new.text.encode()
        )

    def notes(self) -> list[str]:
        """What else changed, or why there is nothing to compare."""
        notes: list[str] = []
        if self.old is None:
            notes.append("no original reply on chat.responses")
        if self.new is None:
            notes.append("no reply in the sandbox")
        if self.old is not None and self.new is not None:
            for name in COMPARED_FIELDS:
                before, after = getattr(self.old, name), getattr(self.new, name)
                if before != after:
                    notes.append(f"{name} {_shown(before)} → {_shown(after)}")
        old_c, new_c = self.old_completion, self.new_completion
        if old_c is not None and new_c is not None and old_c.prompt_sha256 != new_c.prompt_sha256:
            notes.append("LLM prompt changed (answer played back by the question)")
        if old_c is not None and new_c is None and self.new is not None:
            notes.append("recorded LLM answer not used")
        return notes

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "turn_id": self.turn.turn_id,
            "event_id": self.turn.event_id,
            "locale": self.turn.locale,
            "question": self.turn.text,
            "identical": self.identical,
            "notes": self.notes(),
            "old": _reply_json(self.old),
            "new": _reply_json(self.new),
            "diff": unified_reply_diff(
                self.old.text if self.old else "", self.new.text if self.new else ""
            ),
            "seconds": None if self.seconds is None else round(self.seconds, 3),
        }


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    return "-" if value is None else str(value)


def _reply_json(reply: FinalReply | None) -> dict[str, Any] | None:
    if reply is None:
        return None
    return reply.model_dump(mode="json", include={"event_id", "text", *COMPARED_FIELDS})


@dataclass
class ReplayReport:
    session_id: str
    sandbox_prefix: str
    sandbox_app_id: str
    worker_log: str
    kept: bool
    turns: list[TurnResult] = field(default_factory=list)
    unreadable_turns: list[str] = field(default_factory=list)
    unreadable_other: list[str] = field(default_factory=list)
    read_s: float = 0.0
    ready_s: float = 0.0
    replay_s: float = 0.0
    total_s: float = 0.0
    deleted_topics: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        turns = self.turns
        return bool(turns) and all(t.identical for t in turns) and not self.unreadable_turns

    @property
    def exit_code(self) -> int:
        """0 when every reply is identical, 1 when any differs or could not be replayed."""
        return 0 if self.identical else 1

    def as_json(self) -> dict[str, Any]:
        return {
            "session_id": self.session_id,
            "identical": self.identical,
            "turns": [t.as_json() for t in self.turns],
            "unreadable_turns": self.unreadable_turns,
            "unreadable_other": self.unreadable_other,
            "sandbox": {
                "prefix": self.sandbox_prefix,
                "app_id": self.sandbox_app_id,
                "kept": self.kept,
                "deleted_topics": len(self.deleted_topics),
                "worker_log": self.worker_log,
            },
            "seconds": {
                "read": round(self.read_s, 3),
                "worker_ready": round(self.ready_s, 3),
                "replay": round(self.replay_s, 3),
                "total": round(self.total_s, 3),
            },
        }


def render_report(report: ReplayReport, *, columns: bool = False, width: int = 100) -> list[str]:
    """The report as text: each turn identical, or its diff (unified or two columns)."""
    count = len(report.turns)
    lines = [f"replay of session {report.session_id}: {count} turns"]
    for result in report.turns:
        lines.append("")
        question = result.turn.text if len(result.turn.text) <= 60 else result.turn.text[:59] + "…"
        lines.append(
            f"turn {result.index}/{count}  {result.turn.locale}  {question!r}  "
            f"(turn id {result.turn.turn_id})"
        )
        notes = result.notes()
        if result.identical:
            path = result.new.path if result.new else "-"
            detail = f"{path}, {len(result.new.text) if result.new else 0} chars"
            lines.append(f"  = identical ({detail})" + (f"; {'; '.join(notes)}" if notes else ""))
            continue
        lines.append("  ≠ differs" + (f": {'; '.join(notes)}" if notes else ""))
        old = result.old.text if result.old else ""
        new = result.new.text if result.new else ""
        diff = side_by_side(old, new, width) if columns else unified_reply_diff(old, new)
        lines.extend(f"    {line}" for line in diff)
    if report.unreadable_turns or report.unreadable_other:
        lines.append("")
    lines.extend(f"not replayed, cannot be decoded: {u}" for u in report.unreadable_turns)
    lines.extend(f"skipped, cannot be decoded: {u}" for u in report.unreadable_other)
    same = sum(t.identical for t in report.turns)
    sandbox = (
        f"sandbox kept: topics {report.sandbox_prefix}*, group {report.sandbox_app_id}-pipeline"
        if report.kept
        else f"sandbox topics deleted ({len(report.deleted_topics)})"
    )
    lines.append("")
    lines.append(f"{same} of {count} replies identical, {count - same} different")
    lines.append(
        f"replayed in {report.replay_s:.1f} s (sandbox worker ready in {report.ready_s:.1f} s,"
        f" total {report.total_s:.1f} s); {sandbox}; worker log {report.worker_log}"
    )
    return lines


# ---------------------------------------------------------------- the replay


@dataclass(frozen=True)
class ReplayOptions:
    env: Mapping[str, str] = field(default_factory=dict)
    keep: bool = False
    work_dir: Path = Path("var/replay")
    since: datetime | None = None
    until: datetime | None = None
    turn_timeout_s: float = 30.0
    ready_timeout_s: float = 90.0


async def run_replay(
    kafka: KafkaSettings,
    session_id: str,
    codec: AvroCodec,
    options: ReplayOptions,
    *,
    say: Say = _quiet,
    turn_progress: Callable[[int, int], None] | None = None,
    read_progress: Callable[[str], Progress] | None = None,
) -> ReplayReport:
    """Replay the session in a fresh sandbox and compare; the sandbox is removed at the end."""
    started = time.monotonic()
    session = await read_session(
        kafka,
        session_id,
        codec,
        since=options.since,
        until=options.until,
        progress=read_progress,
    )
    read_s = time.monotonic() - started
    say(
        f"session {session_id}: {len(session.turns)} turns, "
        f"{len(session.completions)} LLM answers recorded, {len(session.replies)} replies"
    )
    sandbox = Sandbox(kafka, options.work_dir)
    write_recordings(sandbox.recordings_path, session.recordings())
    env = sandbox_env(kafka, sandbox.kafka, sandbox.recordings_path.resolve(), options.env)
    report = ReplayReport(
        session_id=session_id,
        sandbox_prefix=sandbox.prefix,
        sandbox_app_id=sandbox.app_id,
        worker_log=str(sandbox.dir / "worker-pipeline.log"),
        kept=options.keep,
        unreadable_turns=session.unreadable_turns,
        unreadable_other=session.unreadable_other,
        read_s=read_s,
    )
    collector = ReplyCollector(sandbox.kafka, codec)
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, acks=1)
    try:
        created = await sandbox.create_topics()
        say(f"sandbox {sandbox.prefix}: {len(created)} topics; starting its pipeline worker")
        report.ready_s = await sandbox.start_worker(env, options.ready_timeout_s)
        try:
            await collector.start()
            await producer.start()
        except KafkaError as exc:
            raise SandboxError(f"cannot reach the sandbox topics: {exc}") from exc
        replay_started = time.monotonic()
        for index, turn in enumerate(session.turns, start=1):
            if turn_progress:
                turn_progress(index - 1, len(session.turns))
            report.turns.append(
                await _replay_turn(
                    index, turn, session, sandbox, collector, producer, codec, options
                )
            )
        if turn_progress:
            turn_progress(len(session.turns), len(session.turns))
        report.replay_s = time.monotonic() - replay_started
    finally:
        await collector.stop()
        await producer.stop()
        await sandbox.stop_worker()
        if not options.keep:
            report.deleted_topics = await sandbox.delete_topics()
        report.total_s = time.monotonic() - started
    return report


async def _replay_turn(
    index: int,
    turn: ChatTurn,
    session: RecordedSession,
    sandbox: Sandbox,
    collector: ReplyCollector,
    producer: AIOKafkaProducer,
    codec: AvroCodec,
    options: ReplayOptions,
) -> TurnResult:
    sent = time.monotonic()
    try:
        await producer.send_and_wait(
            topic_name(TURNS, sandbox.prefix),
            codec.encode(turn),
            key=turn.session_id.encode(),
            headers=[(TURN_ID_HEADER, turn.turn_id.encode())],
        )
    except KafkaError as exc:
        raise SandboxError(f"cannot publish turn {turn.turn_id} to the sandbox: {exc}") from exc
    answered = await collector.wait_for(
        lambda: turn.turn_id in collector.replies, options.turn_timeout_s, sandbox.check_worker
    )
    new = collector.replies.get(turn.turn_id) if answered else None
    if new is not None and new.path == "llm":
        # The completion is sent just before the drafts: it is there, or about to be.
        await collector.wait_for(
            lambda: turn.turn_id in collector.completions, 2.0, sandbox.check_worker
        )
    return TurnResult(
        index=index,
        turn=turn,
        old=session.replies.get(turn.turn_id),
        new=new,
        old_completion=session.completions.get(turn.turn_id),
        new_completion=collector.completions.get(turn.turn_id),
        seconds=time.monotonic() - sent if new is not None else None,
    )
