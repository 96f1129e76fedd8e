"""The embedded generator: an extractive, cited answer built only from the prompt's context.

No network and no model: the answer is the lead sentence of the turn's
language, then sentences copied verbatim from the ``<context>`` blocks of the
prompt (see :mod:`connectors.llm.prompt`), each cited ``[n]``, then a line
naming the sources. Nothing else is written, so no number can appear that the
context does not hold.

* Catalog and order blocks (``source`` ``catalog`` / ``orders``) are answers in
  themselves: each is quoted whole, best first, up to :data:`MAX_LINES`.
* Other blocks (help pages) are cut into sentences, and the sentences sharing
  the most terms with the question are quoted (stemmed English content words
  and Japanese character bigrams, the knowledge base's own
  :func:`~connectors.knowledge.tokens.tokenize`, less bigrams ending in
  hiragana such as 品は, which a particle makes match everywhere), damped by
  length; those
  scoring at least :data:`RELATIVE_CUTOFF` of the best are kept, up to
  :data:`MAX_SENTENCES`, in reading order. When any of them is in the turn's
  language, those in the other language are left out. When
  no sentence shares a term, the first sentence of the best block stands in:
  the retriever ranked it first.
* With no block at all, it says it does not know.

It is deterministic, streams one sentence per :class:`TextDelta`, and reports
estimated token counts (:func:`connectors.llm.tokens.estimate_tokens`); it
stops early with ``max_tokens`` when the next sentence would exceed the
request's ``max_tokens``.
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

from agents.language import detect_locale
from connectors.knowledge.tokens import tokenize
from connectors.llm.models import END_TURN, MAX_TOKENS, LlmDone, LlmEvent, LlmRequest, TextDelta
from connectors.llm.prompt import PromptView, QuotedContext, prompt_tokens, read_prompt
from connectors.llm.tokens import estimate_tokens
from schemas.events import Locale

MAX_LINES = 5
MAX_SENTENCES = 3
LINE_SOURCES = frozenset({"catalog", "orders"})
# Sentences scoring under this share of the best one are left out.
RELATIVE_CUTOFF = 0.6

LEAD: dict[Locale, str] = {
    "en": "Here is what I found in the store's information.",
    "ja": "ストアの情報から、次のことが分かりました。",
}
DONT_KNOW: dict[Locale, str] = {
    "en": "Sorry, I don't know: I couldn't find anything about that in the store's information. "
    "Could you rephrase the question, or ask our support team?",
    "ja": "申し訳ありません、ストアの情報にはその答えが見つかりませんでした。"
    "別の言い方でお試しいただくか、サポート担当にお問い合わせください。",
}
SOURCES: dict[Locale, tuple[str, str]] = {"en": ("Sources: ", ", "), "ja": ("出典：", "、")}

# A sentence ends after 。！？ (and closing brackets) anywhere, after .!? only before
# whitespace or the end (so "1.5" and "e.g.x" stay whole), and at a line break.
_HIRAGANA_RE = re.compile("[\u3040-\u309f]")
_SENTENCE_END_RE = re.compile(r"[。！？]+[」』）]*|[.!?]+[\"')」』）]*(?=\s|\Z)|\n")


@dataclass(frozen=True, slots=True)
class _Candidate:
    context: QuotedContext
    position: int
    text: str
    score: float
    same_language: bool


def split_sentences(text: str) -> list[str]:
    """The non-blank sentences of ``text``, stripped, in order."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END_RE.finditer(text):
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return [sentence for sentence in sentences if sentence]


def content_terms(text: str) -> frozenset[str]:
    """Terms of ``text`` without bigrams ending in hiragana (品は, 届け), unless none is left."""
    terms = frozenset(tokenize(text))
    content = frozenset(t for t in terms if not (len(t) == 2 and _HIRAGANA_RE.match(t[1])))
    return content or terms


def _cite(locale: Locale, sentence: str, number: int) -> str:
    return f"{sentence}[{number}]" if locale == "ja" else f" {sentence} [{number}]"


def _sentences(view: PromptView) -> list[_Candidate]:
    question_terms = content_terms(view.question)
    candidates: list[_Candidate] = []
    for context in view.contexts:
        if context.source in LINE_SOURCES:
            continue
        for position, sentence in enumerate(split_sentences(context.text)):
            terms = content_terms(sentence)
            overlap = len(question_terms & terms)
            same_language = detect_locale(sentence, view.locale) == view.locale
            # Longer sentences match more by chance: damp by length.
            score = overlap / math.sqrt(1 + len(terms))
            candidates.append(_Candidate(context, position, sentence, score, same_language))
    return candidates


def _chosen(view: PromptView) -> list[tuple[str, int]]:
    """(text, block number) to quote, in the order they are written."""
    lines = [c for c in view.contexts if c.source in LINE_SOURCES][:MAX_LINES]
    chosen = [(" ".join(c.text.split()), c.number) for c in lines]
    candidates = _sentences(view)
    if any(c.score > 0 and c.same_language for c in candidates):
        candidates = [c for c in candidates if c.same_language]
    top = max((c.score for c in candidates), default=0.0)
    relevant = [c for c in candidates if c.score > 0 and c.score >= top * RELATIVE_CUTOFF]
    best = sorted(relevant, key=lambda c: (-c.score, c.context.number, c.position))
    picked = best[:MAX_SENTENCES]
    if not picked and not chosen and candidates:
        picked = [candidates[0]]  # the retriever's first choice
    picked.sort(key=lambda c: (c.context.number, c.position))
    chosen.extend((c.text, c.context.number) for c in picked)
    return chosen


def compose(view: PromptView) -> list[str]:
    """The answer's pieces: lead, cited sentences, sources line; or the don't-know reply."""
    locale = view.locale
    chosen = _chosen(view)
    if not chosen:
        return [DONT_KNOW[locale]]
    pieces = [LEAD[locale], *(_cite(locale, text, number) for text, number in chosen)]
    cited = sorted({number for _, number in chosen})
    label, separator = SOURCES[locale]
    refs = []
    for number in cited:
        context = view.context(number)
        if context is not None:
            refs.append(f"[{number}] {context.source}:{context.ref_id}")
    pieces.append("\n" + label + separator.join(refs))
    return pieces


class LocalGroundedClient:
    """:class:`~connectors.llm.base.LlmClient` answering from the prompt's context alone."""

    async def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        input_tokens = prompt_tokens(request)
        output_tokens = 0
        stop_reason = END_TURN
        for piece in compose(read_prompt(request)):
            cost = estimate_tokens(piece)
            if output_tokens + cost > request.max_tokens:
                stop_reason = MAX_TOKENS
                break
            output_tokens += cost
            yield TextDelta(piece)
        yield LlmDone(input_tokens, output_tokens, stop_reason)

    async def aclose(self) -> None:
        return None
