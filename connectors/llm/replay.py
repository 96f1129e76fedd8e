"""Plays back what the LLM wrote, for ``mangaassist replay``: no model is called.

The generation stage records each answer as an ``LlmCompletion`` event on
``chat.llm`` (the text, its sources, its token counts and the SHA-256 of the
prompt). :class:`ReplayLlmClient` answers a request with the recording whose
``prompt_sha256`` equals the request's digest (:func:`request_digest`, computed
exactly as the generation stage recorded it); when the prompt changed
(a setting, a template, the memory), it falls back to the recording for the
same question (the ``<question>`` block of the prompt). The recorded text is
streamed as deltas and the recorded token counts are reported, so the reply,
its cost and its citations come out as they did. No match raises
:class:`LlmRejected` (the stage then takes its template fallback), so a replay
shows the difference instead of calling a model.

A request whose ``max_tokens`` is below the recorded output is cut where a
model would have stopped (by the estimate of :mod:`connectors.llm.tokens`),
ending with ``max_tokens``: replaying with a lower limit shows its effect.

Recordings are JSON lines, one per completion: the fields of ``LlmCompletion``
(``turn_id``, ``model``, ``prompt_sha256``, ``text``, ``sources``,
``input_tokens``, ``output_tokens``, ``stop_reason``) plus the optional
``question``. A line as ``mangaassist dump chat.llm`` prints it (the fields
under ``"event"``) is read too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from connectors.llm.exceptions import LlmRejected
from connectors.llm.models import END_TURN, MAX_TOKENS, LlmDone, LlmEvent, LlmRequest, TextDelta
from connectors.llm.prompt import read_prompt
from connectors.llm.tokens import estimate_tokens
from mangaassist.errors import ConfigurationError

log = logging.getLogger(__name__)

NO_RECORDING = "no recording for this prompt"
# Pieces end after sentence ends and line breaks, as a model streams them (roughly).
_PIECE_END_RE = re.compile(r"(?<=[。！？!?\n])|(?<=[.:;]\s)")
# How far back a cut looks for a space, so that English is not cut mid-word.
_WORD_BACKOFF = 24


def request_digest(request: LlmRequest) -> str:
    """SHA-256 of what the model was asked: the JSON list ``[system, model, [role, content], ...]``.

    The generation stage records it with each completion (``LlmCompletion.prompt_sha256``).
    """
    body = [request.system, request.model, *((m.role, m.content) for m in request.messages)]
    return hashlib.sha256(json.dumps(body, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Recording:
    """One recorded completion."""

    turn_id: str
    prompt_sha256: str
    text: str
    question: str | None = None
    model: str | None = None
    sources: tuple[str, ...] = ()
    input_tokens: int = 0
    output_tokens: int = 0
    stop_reason: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Recording:
        """From a recordings line, or from a ``mangaassist dump chat.llm`` line."""
        event = data.get("event")
        body: Mapping[str, Any] = event if isinstance(event, Mapping) else data
        missing = [
            name for name in ("prompt_sha256", "text") if not isinstance(body.get(name), str)
        ]
        if missing:
            raise ValueError(f"no {' or '.join(missing)}")
        question = body.get("question", data.get("question"))
        return cls(
            turn_id=str(body.get("turn_id", "")),
            prompt_sha256=str(body["prompt_sha256"]),
            text=str(body["text"]),
            question=str(question) if question is not None else None,
            model=str(body["model"]) if body.get("model") is not None else None,
            sources=tuple(str(s) for s in body.get("sources") or ()),
            input_tokens=int(body.get("input_tokens") or 0),
            output_tokens=int(body.get("output_tokens") or 0),
            stop_reason=str(body["stop_reason"]) if body.get("stop_reason") else None,
        )

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "sources": list(self.sources)}


def load_recordings(path: Path) -> list[Recording]:
    """The recordings in ``path``; a missing file or a bad line is a configuration error."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigurationError(f"cannot read LLM recordings {path}: {exc.strerror}") from exc
    recordings = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, Mapping):
                raise ValueError("not a JSON object")
            recordings.append(Recording.from_json(data))
        except (ValueError, TypeError) as exc:
            raise ConfigurationError(f"{path}:{number}: not an LLM recording: {exc}") from exc
    return recordings


def write_recordings(path: Path, recordings: Iterable[Recording]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for recording in recordings:
            out.write(json.dumps(recording.as_json(), ensure_ascii=False) + "\n")


def split_pieces(text: str) -> list[str]:
    """``text`` in stream-sized pieces; they join back to exactly ``text``."""
    return [piece for piece in _PIECE_END_RE.split(text) if piece]


def cut_to_tokens(text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` estimated at ``max_tokens`` or fewer, at a word end."""
    low, high = 0, len(text)
    while low < high:  # estimate_tokens never falls as a prefix grows
        middle = (low + high + 1) // 2
        if estimate_tokens(text[:middle]) <= max_tokens:
            low = middle
        else:
            high = middle - 1
    cut = text[:low]
    if low < len(text) and not text[low].isspace():
        space = cut.rfind(" ", max(0, low - _WORD_BACKOFF))
        if space > 0:
            cut = cut[:space]
    return cut


@dataclass
class _Queue:
    """Recordings sharing a key, played in order; the last one repeats."""

    items: list[Recording] = field(default_factory=list)
    next: int = 0

    def take(self) -> Recording:
        item = self.items[min(self.next, len(self.items) - 1)]
        self.next += 1
        return item


class ReplayLlmClient:
    """:class:`~connectors.llm.base.LlmClient` playing back recorded completions."""

    def __init__(self, recordings: Iterable[Recording]) -> None:
        self._by_digest: dict[str, _Queue] = {}
        self._by_question: dict[str, _Queue] = {}
        for recording in recordings:
            self._by_digest.setdefault(recording.prompt_sha256, _Queue()).items.append(recording)
            if recording.question is not None:
                key = recording.question.strip()
                self._by_question.setdefault(key, _Queue()).items.append(recording)
        # (how the request was matched: "prompt", "question" or "none", the turn id played)
        self.matches: list[tuple[str, str]] = []

    @classmethod
    def from_file(cls, path: Path) -> ReplayLlmClient:
        return cls(load_recordings(path))

    def find(self, request: LlmRequest) -> tuple[Recording, str] | None:
        """The recording answering ``request`` and how it matched, or None."""
        queue = self._by_digest.get(request_digest(request))
        if queue is not None:
            return queue.take(), "prompt"
        question = read_prompt(request).question.strip()
        queue = self._by_question.get(question)
        if queue is not None:
            return queue.take(), "question"
        return None

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        found = self.find(request)
        if found is None:
            self.matches.append(("none", ""))
            log.warning("replay: %s (sha256 %s)", NO_RECORDING, request_digest(request))
            raise LlmRejected(NO_RECORDING)
        recording, how = found
        self.matches.append((how, recording.turn_id))
        if how == "question":
            log.warning(
                "replay: the prompt of turn %s changed; playing back its answer by the question",
                recording.turn_id,
            )
        text, output_tokens = recording.text, recording.output_tokens
        stop_reason = recording.stop_reason or END_TURN
        if output_tokens > request.max_tokens:
            text = cut_to_tokens(text, request.max_tokens)
            output_tokens, stop_reason = min(estimate_tokens(text), request.max_tokens), MAX_TOKENS
        for piece in split_pieces(text):
            yield TextDelta(piece)
        yield LlmDone(recording.input_tokens, output_tokens, stop_reason)

    async def aclose(self) -> None:
        return None
