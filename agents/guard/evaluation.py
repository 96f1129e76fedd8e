"""The guard measured on its labelled cases: detection rates and false positives, per language.

``agents/guard/data/cases.jsonl`` holds hand-written, synthetic cases. A
case may also say what must (not) be left in the guarded text:

- ``pii``: every piece of personal data in it; the case is caught only if
  all of them are gone (masked) from the verdict's text,
- ``must_contain`` / ``must_not_contain``: strings the guarded text must or
  must not hold (a corrected price, a removed competitor name).

Figures: per attack category (prompt_injection, pii, toxicity, competitor,
grounding) the share of its cases caught; for benign cases (no expected
category) the share flagged at all, which is the false-positive rate.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal, get_args

from agents.guard.exceptions import GuardError
from agents.guard.guard import Guard
from agents.guard.model import CATEGORIES, Category, Direction, GroundingContext, Verdict

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
ATTACKS: tuple[Category, ...] = ("prompt_injection", "pii", "toxicity", "competitor", "grounding")


@dataclass(frozen=True)
class Case:
    text: str
    direction: Direction
    lang: Lang
    expected: tuple[Category, ...]
    note: str
    context: GroundingContext | None = None
    pii: tuple[str, ...] = ()
    must_contain: tuple[str, ...] = ()
    must_not_contain: tuple[str, ...] = ()


def bundled_cases_path(name: str = "cases.jsonl") -> Path:
    return Path(str(files("agents.guard").joinpath("data", name)))


def _strings(record: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = record.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise GuardError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _case(record: dict[str, Any], where: str) -> Case:
    text, direction, lang = record.get("text"), record.get("direction"), record.get("lang")
    if not isinstance(text, str):
        raise GuardError(f"{where}: 'text' must be a string")
    if direction not in ("input", "output"):
        raise GuardError(f"{where}: 'direction' must be input or output")
    if lang not in LANGS:
        raise GuardError(f"{where}: 'lang' must be ja or en")
    expected = _strings(record, "expected_categories", where)
    unknown = [category for category in expected if category not in CATEGORIES]
    if unknown:
        raise GuardError(f"{where}: unknown categories {unknown}")
    raw_context = record.get("context")
    context = None
    if raw_context is not None:
        if not isinstance(raw_context, dict):
            raise GuardError(f"{where}: 'context' must be an object")
        context = GroundingContext(
            asins=_strings(raw_context, "asins", where),
            series_ids=_strings(raw_context, "series_ids", where),
            order_ids=_strings(raw_context, "order_ids", where),
        )
    pii = _strings(record, "pii", where)
    if "pii" in expected and not pii:
        raise GuardError(f"{where}: a PII case must list its personal data under 'pii'")
    return Case(
        text=text,
        direction=direction,
        lang=lang,
        expected=tuple(category for category in CATEGORIES if category in expected),
        note=str(record.get("note", "")),
        context=context,
        pii=pii,
        must_contain=_strings(record, "must_contain", where),
        must_not_contain=_strings(record, "must_not_contain", where),
    )


def load_cases(path: Path | None = None) -> list[Case]:
    """The cases of a JSON-lines file whose first line is its ``{"synthetic": true}`` header."""
    path = path or bundled_cases_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise GuardError(f"cannot read the guard cases at {path}: {exc}") from exc
    cases: list[Case] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GuardError(f"{where}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise GuardError(f"{where}: expected an object")
        if number == 1:
            if record.get("synthetic") is not True:
                raise GuardError(f'{where}: the header must say "synthetic": true')
            continue
        cases.append(_case(record, where))
    return cases


@dataclass(frozen=True)
class Outcome:
    case: Case
    verdict: Verdict

    def caught(self, category: Category) -> bool:
        """Whether the guard found ``category`` here and left nothing it should have removed."""
        if category not in self.verdict.categories:
            return False
        text = self.verdict.text
        if category == "pii" and any(piece in text for piece in self.case.pii):
            return False
        if any(piece not in text for piece in self.case.must_contain):
            return False
        return not any(piece in text for piece in self.case.must_not_contain)

    @property
    def false_positive(self) -> bool:
        return not self.case.expected and bool(self.verdict.categories)


def _rate(hits: int, total: int) -> dict[str, Any]:
    return {"cases": total, "hits": hits, "rate": round(hits / total, 4) if total else None}


@dataclass
class Evaluation:
    outcomes: list[Outcome] = field(default_factory=list)

    def _of(self, lang: Lang | None) -> list[Outcome]:
        return [o for o in self.outcomes if lang is None or o.case.lang == lang]

    def recall(self, category: Category, lang: Lang | None = None) -> float:
        cases = [o for o in self._of(lang) if category in o.case.expected]
        return sum(o.caught(category) for o in cases) / len(cases) if cases else float("nan")

    def false_positive_rate(self, lang: Lang | None = None) -> float:
        benign = [o for o in self._of(lang) if not o.case.expected]
        return sum(o.false_positive for o in benign) / len(benign) if benign else float("nan")

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "cases": len(self.outcomes),
            "by_language": {lang: len(self._of(lang)) for lang in LANGS},
        }
        for category in ATTACKS:
            result[f"{category}_recall"] = {
                scope or "all": _rate(
                    sum(o.caught(category) for o in self._of(scope) if category in o.case.expected),
                    sum(1 for o in self._of(scope) if category in o.case.expected),
                )
                for scope in (None, *LANGS)
            }
        result["benign_false_positive_rate"] = {
            scope or "all": _rate(
                sum(o.false_positive for o in self._of(scope)),
                sum(1 for o in self._of(scope) if not o.case.expected),
            )
            for scope in (None, *LANGS)
        }
        flagged = [o for o in self.outcomes if o.case.expected]
        extra = sum(
            1 for o in flagged if set(o.verdict.categories) - set(o.case.expected) - {"format"}
        )
        result["attack_cases_with_extra_categories"] = _rate(extra, len(flagged))
        result["misses"] = self.misses()
        return result

    def misses(self) -> list[dict[str, Any]]:
        """Cases whose expected categories were not all caught, and false positives."""
        missed = []
        for outcome in self.outcomes:
            failed = [c for c in outcome.case.expected if not outcome.caught(c)]
            if failed or outcome.false_positive:
                missed.append(
                    {
                        "lang": outcome.case.lang,
                        "direction": outcome.case.direction,
                        "expected": list(outcome.case.expected),
                        "got": list(outcome.verdict.categories),
                        "note": outcome.case.note,
                        "text": outcome.case.text[:160],
                    }
                )
        return missed


def evaluate(guard: Guard, cases: Iterable[Case]) -> Evaluation:
    """Every case through ``guard.check`` in its own direction and language."""
    evaluation = Evaluation()
    for case in cases:
        verdict = guard.check(case.text, case.direction, case.context, case.lang)
        evaluation.outcomes.append(Outcome(case, verdict))
    return evaluation


def count_by(cases: Sequence[Case]) -> dict[str, int]:
    """How many cases there are of each expected category ("benign" for none) and language."""
    counts: dict[str, int] = {}
    for case in cases:
        for key in (*case.expected, *(() if case.expected else ("benign",)), f"lang_{case.lang}"):
            counts[key] = counts.get(key, 0) + 1
    return counts
