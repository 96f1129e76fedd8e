"""The ``mangaassist`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import shutil
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from mangaassist.errors import ConfigurationError, MangaAssistError


def _dev(args: argparse.Namespace) -> int:
    from bridge.settings import BridgeSettings
    from connectors.kafka import LocalBrokerSettings
    from mangaassist.dev import run_dev

    broker = LocalBrokerSettings()
    if args.broker_port:
        broker = broker.model_copy(update={"port": args.broker_port})
    bridge = BridgeSettings()
    if args.port:
        bridge = bridge.model_copy(update={"port": args.port})
    return asyncio.run(run_dev(broker, bridge))


def _worker(args: argparse.Namespace) -> int:
    from streams.settings import KafkaSettings
    from streams.worker import run_worker

    run_worker(args.role, KafkaSettings(), loglevel=args.loglevel)
    return 0


def _bridge(args: argparse.Namespace) -> int:
    from bridge.server import run
    from bridge.settings import BridgeSettings
    from streams.settings import KafkaSettings

    settings = BridgeSettings()
    updates = {k: v for k, v in (("host", args.host), ("port", args.port)) if v}
    run(settings.model_copy(update=updates), KafkaSettings())
    return 0


def _broker(args: argparse.Namespace) -> int:
    from connectors.kafka import LocalBroker, LocalBrokerSettings, ensure_topics
    from streams.settings import KafkaSettings

    async def serve() -> None:
        broker = LocalBroker(LocalBrokerSettings())
        async with broker:
            await ensure_topics(KafkaSettings(bootstrap_servers=broker.bootstrap_servers))
            print(f"broker on {broker.bootstrap_servers}; Ctrl-C stops it", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0


def _chat(args: argparse.Namespace) -> int:
    from mangaassist.chat_client import chat_interactive, chat_once

    if args.once is not None:
        frame = asyncio.run(
            chat_once(args.url, args.once, locale=args.locale, timeout_s=args.timeout)
        )
        print(json.dumps(frame, ensure_ascii=False))
        return 0 if frame.get("type") == "final" and frame.get("status") == "ok" else 1
    return asyncio.run(chat_interactive(args.url, args.locale))


def _bench(args: argparse.Namespace) -> int:
    from mangaassist.bench import run_bench_command

    return run_bench_command(args)


def _topics(args: argparse.Namespace) -> int:
    from mangaassist.inspect import topic_report
    from streams.settings import KafkaSettings

    rows = asyncio.run(topic_report(KafkaSettings()))
    if args.json:
        for row in rows:
            print(json.dumps(row.as_json()))
        return 0
    print(f"{'topic':<28} {'part':>4} {'first':>8} {'end':>8}  lag")
    for row in rows:
        lag = ", ".join(f"{group}={value}" for group, value in row.lag.items()) or "-"
        print(
            f"{row.topic:<28} {row.partition:>4} {row.first_offset:>8} {row.end_offset:>8}  {lag}"
        )
    return 0


def _dump(args: argparse.Namespace) -> int:
    from mangaassist.inspect.dump import DumpQuery, DumpStats, dump_records
    from mangaassist.inspect.progress import ProgressBar
    from schemas import default_codec
    from streams.settings import KafkaSettings

    kafka = KafkaSettings()
    query = DumpQuery(
        topic=f"{kafka.topic_prefix}{args.topic}",
        session_id=args.session,
        since=args.since,
        until=args.until,
        from_offset=args.from_offset,
    )
    stats = DumpStats()
    bar = ProgressBar("dump", "records")

    async def run() -> None:
        async for line in dump_records(kafka, query, default_codec(), stats, bar.update):
            print(json.dumps(line, ensure_ascii=False), flush=True)
            if "error" in line:
                where = f"{line['topic']}[{line['partition']}]@{line['offset']}"
                bar.say(f"{where} (key {line['key'] or '-'}) cannot be decoded: {line['error']}")

    try:
        asyncio.run(run())
    finally:
        bar.finish()
    print(
        f"[dump] scanned {stats.scanned}, printed {stats.matched}, corrupt {stats.corrupt}",
        file=sys.stderr,
    )
    return 1 if stats.corrupt else 0


def _env_pair(text: str) -> str:
    if "=" not in text or not text.partition("=")[0].strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, not {text!r}")
    return text


def _replay(args: argparse.Namespace) -> int:
    from mangaassist.inspect.progress import ProgressBar
    from mangaassist.inspect.replay import ReplayOptions, parse_env, render_report, run_replay
    from schemas import default_codec
    from streams.settings import KafkaSettings

    options = ReplayOptions(
        env=parse_env(args.env),
        keep=args.keep,
        work_dir=args.work_dir,
        since=args.since,
        until=args.until,
        turn_timeout_s=args.timeout,
        ready_timeout_s=args.ready_timeout,
    )
    bar = ProgressBar("replay", "turns")

    def reading(topic: str) -> Callable[[int, int], None]:
        return lambda done, total: bar.update(done, total, f"records of {topic}")

    try:
        report = asyncio.run(
            run_replay(
                KafkaSettings(),
                args.session_id,
                default_codec(),
                options,
                say=bar.say,
                turn_progress=bar.update,
                read_progress=reading,
            )
        )
    finally:
        bar.finish()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    else:
        width = args.width or shutil.get_terminal_size((100, 24)).columns
        for line in render_report(report, columns=args.side_by_side, width=width):
            print(line)
    return report.exit_code


def _deadletters(args: argparse.Namespace) -> int:
    from mangaassist.inspect.deadletters import DeadLetterQuery, read_dead_letters, render_table
    from mangaassist.inspect.progress import ProgressBar
    from schemas import default_codec
    from streams.settings import KafkaSettings

    query = DeadLetterQuery(
        stage=args.stage, session_id=args.session, since=args.since, until=args.until
    )
    bar = ProgressBar("deadletters", "records")
    try:
        found = asyncio.run(read_dead_letters(KafkaSettings(), default_codec(), query, bar.update))
    finally:
        bar.finish()
    if args.json:
        for entry in found.entries:
            print(json.dumps(entry.as_json(), ensure_ascii=False))
    elif found.entries:
        for line in render_table(found.entries):
            print(line)
    for unreadable in found.unreadable:
        print(f"mangaassist: cannot decode the dead letter {unreadable}", file=sys.stderr)
    print(f"[deadletters] {len(found.entries)} dead letters", file=sys.stderr)
    return 1 if found.unreadable else 0


def _redrive(args: argparse.Namespace) -> int:
    from mangaassist.inspect.deadletters import (
        RedriveSend,
        load_replacement,
        plan_redrive,
        send_redrive,
    )
    from mangaassist.inspect.exceptions import RedriveError
    from schemas import default_codec
    from streams.settings import KafkaSettings

    kafka, codec = KafkaSettings(), default_codec()
    replacement = load_replacement(args.payload_json, codec) if args.payload_json else None
    sends = asyncio.run(
        plan_redrive(kafka, codec, args.event_ids, replacement=replacement, force=args.force)
    )
    letters = sum(len(send.letters) for send in sends)
    if args.json and args.dry_run:
        for send in sends:
            print(json.dumps(send.as_json(), ensure_ascii=False))
        return 0
    if not args.json:
        for send in sends:
            for line in send.describe():
                print(line)
    if args.dry_run:
        print(f"dry run: {len(sends)} records for {letters} dead letters, nothing sent")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise RedriveError("add --yes to send without a question (or --dry-run to look)")
        answer = input(f"send {len(sends)} records to their source topics? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("nothing sent")
            return 1

    def sent(send: RedriveSend) -> None:
        if args.json:
            print(json.dumps(send.as_json(), ensure_ascii=False), flush=True)
        elif send.sent_to is not None:
            print(f"sent to {send.topic}[{send.sent_to[0]}]@{send.sent_to[1]}", flush=True)

    asyncio.run(send_redrive(kafka, sends, sent))
    print(
        f"[redrive] {len(sends)} records sent for {letters} dead letters; sending them again is "
        "safe: stages derive their event ids from the input's, so repeats are dropped",
        file=sys.stderr,
    )
    return 0


def _search_catalog(args: argparse.Namespace) -> int:
    from connectors.store import search_catalog_main

    hits = search_catalog_main(args.query, args.k)
    for hit in hits:
        print(json.dumps(hit, ensure_ascii=False))
    if not hits:
        print(f"mangaassist: nothing in the catalog matches {args.query!r}", file=sys.stderr)
    return 0 if hits else 1


def _login_token(args: argparse.Namespace) -> int:
    from bridge.identity import LocalIdentityProvider
    from bridge.settings import BridgeSettings

    secret = BridgeSettings().identity_secret
    if secret is None:
        raise ConfigurationError(
            "set MANGAASSIST_BRIDGE_IDENTITY_SECRET (the same for the bridge) to sign users in"
        )
    print(LocalIdentityProvider(secret.get_secret_value()).issue(args.user_id, args.ttl))
    return 0


def _search_kb(args: argparse.Namespace) -> int:
    from connectors.knowledge import search_kb_main

    passages = search_kb_main(args.question, args.k)
    for passage in passages:
        print(json.dumps(passage, ensure_ascii=False))
    if not passages:
        print(
            f"mangaassist: nothing in the knowledge base answers {args.question!r}", file=sys.stderr
        )
    return 0 if passages else 1


def _bench_bridge(args: argparse.Namespace) -> int:
    from bridge.bench import run_bench_bridge_command

    return run_bench_bridge_command(args)


def _bench_sink(args: argparse.Namespace) -> int:
    from analytics.bench import run_bench_sink_command

    return run_bench_sink_command(args)


def _bench_kb(args: argparse.Namespace) -> int:
    from connectors.knowledge.bench import run_bench
    from mangaassist.bench import emit_json

    emit_json(run_bench(searches=args.searches), None)
    return 0


def _train_intent(args: argparse.Namespace) -> int:
    from agents.intent.command import train_intent_main
    from agents.intent.model import bundled_model_path

    return train_intent_main(
        args.data, args.model or bundled_model_path(), args.report_dir, args.unseen_writers
    )


def _classify(args: argparse.Namespace) -> int:
    from agents.intent.command import classify_main

    return classify_main(sys.stdin, sys.stdout)


def _bench_intent(args: argparse.Namespace) -> int:
    from agents.intent.bench import run_bench
    from mangaassist.bench import emit_json

    emit_json(run_bench(repeats=args.repeats), None)
    return 0


def _bench_memory(args: argparse.Namespace) -> int:
    from connectors.memory.bench import run_bench_memory_command

    return run_bench_memory_command(args)


def _bench_cache(args: argparse.Namespace) -> int:
    from connectors.cache.bench import run_bench_cache_command

    return run_bench_cache_command(args)


def _kcl_processor(args: argparse.Namespace) -> int:
    from connectors.kinesis.kcl import kcl_main

    return kcl_main(["--log-level", args.log_level])


def _kinesis_reader(args: argparse.Namespace) -> int:
    from connectors.kinesis.reader import reader_main

    flags = [("--create-stream", args.create_stream), ("--drain", args.drain)]
    return reader_main([flag for flag, wanted in flags if wanted])


def _guard(args: argparse.Namespace) -> int:
    from agents.guard.command import guard_main

    return guard_main(sys.stdin, sys.stdout)


def _guard_eval(args: argparse.Namespace) -> int:
    from agents.guard.command import guard_eval_main

    return guard_eval_main(sys.stdout)


def _bench_guard(args: argparse.Namespace) -> int:
    from agents.guard.bench import run_bench
    from mangaassist.bench import emit_json

    emit_json(run_bench(repeats=args.repeats), None)
    return 0


def _report(args: argparse.Namespace) -> int:
    from analytics.report import report_main

    return report_main(args.output)


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _settings(args: argparse.Namespace) -> int:
    from mangaassist.settings_table import current_settings, render_settings_table

    if args.markdown:
        print(render_settings_table())
        return 0
    for name, value in current_settings().items():
        print(f"{name}={value}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mangaassist", description="MangaAssist: the manga store's chat assistant."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    dev = commands.add_parser("dev", help="run broker, workers and bridge on loopback")
    dev.add_argument("--port", type=int, help="bridge port (default MANGAASSIST_BRIDGE_PORT)")
    dev.add_argument("--broker-port", type=int, help="local broker port")
    dev.set_defaults(func=_dev)

    worker = commands.add_parser(
        "worker", help="run one worker: the faust pipeline agents, or the analytics sink"
    )
    worker.add_argument("role", choices=["pipeline", "analytics"])
    worker.add_argument("--loglevel", default="warning")
    worker.set_defaults(func=_worker)

    bridge = commands.add_parser("bridge", help="run the WebSocket bridge")
    bridge.add_argument("--host")
    bridge.add_argument("--port", type=int)
    bridge.set_defaults(func=_bridge)

    broker = commands.add_parser("broker", help="run only the local Kafka-compatible broker")
    broker.set_defaults(func=_broker)

    chat = commands.add_parser("chat", help="chat with a running bridge from the terminal")
    chat.add_argument("--url", default="http://127.0.0.1:8000")
    chat.add_argument(
        "--once", metavar="TEXT", help="send one message, print the final reply as JSON"
    )
    chat.add_argument("--locale", choices=["ja", "en"])
    chat.add_argument("--timeout", type=float, default=30.0)
    chat.set_defaults(func=_chat)

    topics = commands.add_parser("topics", help="topics, partitions, offsets and worker lag")
    topics.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    topics.set_defaults(func=_topics)

    dump = commands.add_parser("dump", help="print a topic's events as decoded JSON lines")
    dump.add_argument("topic", help="topic name without the prefix, e.g. chat.turns")
    dump.add_argument("--session", help="only this session's events")
    dump.add_argument("--since", type=_timestamp, help="ISO 8601 time (UTC if no zone)")
    dump.add_argument("--until", type=_timestamp, help="ISO 8601 time (UTC if no zone)")
    dump.add_argument("--from-offset", type=int, help="start offset in every partition")
    dump.set_defaults(func=_dump)

    replay = commands.add_parser(
        "replay",
        help="re-run one session's turns in a sandbox (recorded LLM answers) and diff the replies",
    )
    replay.add_argument("session_id")
    replay.add_argument(
        "--env",
        action="append",
        default=[],
        type=_env_pair,
        metavar="KEY=VALUE",
        help="a MANGAASSIST_ setting for the sandbox worker (repeatable)",
    )
    replay.add_argument("--keep", action="store_true", help="keep the sandbox topics")
    replay.add_argument("--json", action="store_true", help="one JSON document instead of text")
    replay.add_argument(
        "--side-by-side", action="store_true", help="two columns instead of a unified diff"
    )
    replay.add_argument("--width", type=int, help="columns of the side-by-side view")
    replay.add_argument("--since", type=_timestamp, help="only turns from this ISO 8601 time")
    replay.add_argument("--until", type=_timestamp, help="only turns until this ISO 8601 time")
    replay.add_argument("--timeout", type=float, default=30.0, help="seconds to wait per reply")
    replay.add_argument(
        "--ready-timeout", type=float, default=90.0, help="seconds the sandbox worker may take"
    )
    replay.add_argument(
        "--work-dir",
        type=Path,
        default=Path("var/replay"),
        help="where the sandbox's LLM recordings and worker log go",
    )
    replay.set_defaults(func=_replay)

    deadletters = commands.add_parser(
        "deadletters", help="list the dead letters: stage, source record, error, event id"
    )
    deadletters.add_argument("--stage", help="only this stage's (intent, generation, analytics…)")
    deadletters.add_argument("--session", help="only this session's")
    deadletters.add_argument("--since", type=_timestamp, help="ISO 8601 time (UTC if no zone)")
    deadletters.add_argument("--until", type=_timestamp, help="ISO 8601 time (UTC if no zone)")
    deadletters.add_argument("--json", action="store_true", help="JSON lines instead of a table")
    deadletters.set_defaults(func=_deadletters)

    redrive = commands.add_parser(
        "redrive", help="send dead letters' original payloads back to their source topics"
    )
    redrive.add_argument("event_ids", nargs="+", metavar="EVENT_ID", help="dead letter event ids")
    redrive.add_argument("--yes", action="store_true", help="send without asking")
    redrive.add_argument("--dry-run", action="store_true", help="show what would be sent")
    redrive.add_argument(
        "--payload-json",
        type=Path,
        metavar="FILE",
        help="send this corrected event instead (a `mangaassist dump` line) for one record",
    )
    redrive.add_argument(
        "--force", action="store_true", help="send a payload that still cannot be decoded"
    )
    redrive.add_argument("--json", action="store_true", help="JSON lines instead of text")
    redrive.set_defaults(func=_redrive)

    catalog = commands.add_parser(
        "search-catalog", help="find items by title (any script or romaji), author, genre, volume"
    )
    catalog.add_argument("query")
    catalog.add_argument("--k", type=int, default=10, help="how many results")
    catalog.set_defaults(func=_search_catalog)

    login = commands.add_parser(
        "login-token", help="an identity token for a demo user (local development sign-in)"
    )
    login.add_argument("user_id", help="e.g. user-001 from the demo store")
    login.add_argument("--ttl", type=int, default=3600, help="seconds the token is valid")
    login.set_defaults(func=_login_token)

    kb = commands.add_parser("search-kb", help="search the FAQ/policy knowledge base (ja or en)")
    kb.add_argument("question")
    kb.add_argument("--k", type=int, default=5, help="how many passages")
    kb.set_defaults(func=_search_kb)

    bench_bridge = commands.add_parser(
        "bench-bridge", help="the bridge alone: idle sockets, memory per socket, relay latency"
    )
    from bridge.bench import add_bench_bridge_arguments

    add_bench_bridge_arguments(bench_bridge)
    bench_bridge.set_defaults(func=_bench_bridge)

    bench_sink = commands.add_parser(
        "bench-sink", help="events/s from Kafka into PostgreSQL by one sink process, freshness"
    )
    from analytics.bench import add_bench_sink_arguments

    add_bench_sink_arguments(bench_sink)
    bench_sink.set_defaults(func=_bench_sink)

    bench_kb = commands.add_parser(
        "bench-kb", help="knowledge-base retrieval latency, as indexed and padded to 10,000 chunks"
    )
    bench_kb.add_argument("--searches", type=int, default=2000)
    bench_kb.set_defaults(func=_bench_kb)

    train_intent = commands.add_parser(
        "train-intent", help="rebuild the intent model from the labelled examples and evaluate it"
    )
    train_intent.add_argument("--data", type=Path, help="folder of examples_*.jsonl files")
    train_intent.add_argument("--model", type=Path, help="where to write the model file")
    train_intent.add_argument("--report-dir", type=Path, default=Path("var/intent"))
    train_intent.add_argument(
        "--unseen-writers",
        action="store_true",
        help="also score each examples file with a model trained without it (a few minutes)",
    )
    train_intent.set_defaults(func=_train_intent)

    classify = commands.add_parser(
        "classify", help='JSON lines {"text"} on stdin to {"intent","confidence","entities"}'
    )
    classify.set_defaults(func=_classify)

    bench_intent = commands.add_parser(
        "bench-intent", help="intent classification and entity extraction latency, one core"
    )
    bench_intent.add_argument("--repeats", type=int, default=5)
    bench_intent.set_defaults(func=_bench_intent)

    bench_memory = commands.add_parser(
        "bench-memory", help="conversation memory read+write latency on the local Redis"
    )
    from connectors.memory.bench import add_bench_memory_arguments

    add_bench_memory_arguments(bench_memory)
    bench_memory.set_defaults(func=_bench_memory)

    bench_cache = commands.add_parser(
        "bench-cache", help="catalog lookup latency from L1, from Redis and from origin"
    )
    from connectors.cache.bench import add_bench_cache_arguments

    add_bench_cache_arguments(bench_cache)
    bench_cache.set_defaults(func=_bench_cache)

    kcl = commands.add_parser(
        "kcl-processor",
        help="KCL MultiLangDaemon record processor: a Kinesis shard into the warehouse "
        "(speaks the daemon's protocol on stdin/stdout)",
    )
    kcl.add_argument("--log-level", default="INFO", help="logging level, to stderr")
    kcl.set_defaults(func=_kcl_processor)

    kinesis_reader = commands.add_parser(
        "kinesis-reader", help="read every shard of the Kinesis stream into the warehouse (local)"
    )
    kinesis_reader.add_argument(
        "--create-stream", action="store_true", help="create the stream first if it is missing"
    )
    kinesis_reader.add_argument(
        "--drain", action="store_true", help="stop once a round of reads finds nothing new"
    )
    kinesis_reader.set_defaults(func=_kinesis_reader)

    guard = commands.add_parser(
        "guard",
        help='check texts: JSON lines {"text","direction"} to {"action","categories","text"}',
    )
    guard.set_defaults(func=_guard)

    guard_eval = commands.add_parser(
        "guard-eval", help="guardrail detection rates and false positives on its labelled cases"
    )
    guard_eval.set_defaults(func=_guard_eval)

    bench_guard = commands.add_parser(
        "bench-guard", help="guardrail latency per reply chunk and per streamed reply, one core"
    )
    bench_guard.add_argument("--repeats", type=int, default=5)
    bench_guard.set_defaults(func=_bench_guard)

    report = commands.add_parser(
        "report", help="render the analytics report (HTML) from the warehouse"
    )
    report.add_argument("--output", type=Path, default=Path("var/report.html"))
    report.set_defaults(func=_report)

    settings = commands.add_parser("settings", help="print every setting and its value")
    settings.add_argument("--markdown", action="store_true", help="the README's table instead")
    settings.set_defaults(func=_settings)

    bench = commands.add_parser("bench", help="measure the pipeline over the real broker")
    from mangaassist.bench import add_bench_arguments

    add_bench_arguments(bench)
    bench.set_defaults(func=_bench)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        result: int = args.func(args)
        return result
    except MangaAssistError as exc:
        print(f"mangaassist: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. piped into head
        return 0
