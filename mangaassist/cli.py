"""The ``mangaassist`` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
from collections.abc import Sequence

from mangaassist.errors import MangaAssistError


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

    worker = commands.add_parser("worker", help="run a faust worker")
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
