"""``mangaassist guard`` and ``mangaassist guard-eval``: the guard from the command line."""

from __future__ import annotations

import json
from typing import Any, TextIO

from agents.guard.evaluation import count_by, evaluate, load_cases
from agents.guard.guard import Guard
from agents.guard.model import GroundingContext


def guard_main(lines: TextIO, out: TextIO, guard: Guard | None = None) -> int:
    """One JSON line out for each JSON line in, in order; a bad line gets an error object.

    In: ``{"text": ..., "direction": "input"|"output"}``, optionally with
    ``"context": {"asins": [...], "series_ids": [...], "order_ids": [...]}`` and
    ``"locale": "ja"|"en"``. Out: ``{"action", "categories", "text"}``.
    Returns 1 if any line was bad, so scripts notice, but every line is answered.
    """
    guard = guard or Guard()
    bad = 0
    for number, line in enumerate(lines, start=1):
        answer = _guard_line(guard, line, number)
        bad += "error" in answer
        out.write(json.dumps(answer, ensure_ascii=False) + "\n")
        out.flush()
    return 1 if bad else 0


def _strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _context(raw: object) -> GroundingContext | str | None:
    """The grounding context of a line, or an error message."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        return '"context" must be an object'
    fields: dict[str, tuple[str, ...]] = {}
    for key in ("asins", "series_ids", "order_ids"):
        values = _strings(raw.get(key, []))
        if values is None:
            return f'"context.{key}" must be a list of strings'
        fields[key] = values
    return GroundingContext(**fields)


def _guard_line(guard: Guard, line: str, number: int) -> dict[str, Any]:
    def error(message: str) -> dict[str, Any]:
        return {"error": f"line {number}: {message}", "line": number}

    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return error(f"not JSON ({exc.msg})")
    if not isinstance(record, dict):
        return error('expected an object with "text" and "direction"')
    text, direction, locale = record.get("text"), record.get("direction"), record.get("locale")
    if not isinstance(text, str):
        return error('"text" must be a string')
    if direction not in ("input", "output"):
        return error('"direction" must be "input" or "output"')
    if locale not in (None, "ja", "en"):
        return error('"locale" must be "ja" or "en"')
    context = _context(record.get("context"))
    if isinstance(context, str):
        return error(context)
    verdict = guard.check(text, direction, context, locale)
    return {"action": verdict.action, "categories": list(verdict.categories), "text": verdict.text}


def guard_eval_main(out: TextIO, guard: Guard | None = None) -> int:
    """The evaluation on the bundled labelled cases, as JSON."""
    cases = load_cases()
    summary = evaluate(guard or Guard(), cases).summary()
    result = {"counts": count_by(cases), **summary}
    out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    return 0
