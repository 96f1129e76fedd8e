"""The guard: six stages run over a shopper's message or an assistant's reply.

Order of work on one text:

1. blocking stages, on the text as given: prompt injection (2) and toxicity
   (3). Any finding blocks the whole text, which is replaced by a bilingual
   message; nothing else runs.
2. format (6): control characters, HTML, foreign links, long repeats.
3. PII (1): masked.
4. sentence stages, one sentence at a time: competitor (4) and grounding (5).
   A sentence that fails is replaced by a short removal notice (several in a
   row share one notice); a wrong value is corrected in place.
5. length (6): cut at a sentence end.

Which stage runs on which direction, and how, is :class:`GuardSettings`.
:class:`agents.guard.stream.StreamGuard` runs the same stages on a streamed
reply, sentence by sentence.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from agents.guard import templates
from agents.guard.competitor import find_competitors
from agents.guard.facts import FactSource, StoreFacts, TurnFacts
from agents.guard.folding import replace_spans
from agents.guard.formatting import cap_length, clean_format
from agents.guard.grounding import ground_sentence
from agents.guard.injection import check_injection
from agents.guard.model import (
    Category,
    Direction,
    Finding,
    GroundingContext,
    Verdict,
    sorted_categories,
    verdict_action,
)
from agents.guard.pii import mask_pii
from agents.guard.sentences import split_sentences
from agents.guard.settings import GuardSettings
from agents.guard.toxicity import check_toxicity
from agents.language import detect_locale
from schemas.events import Locale

_TURN_FACTS_CACHE = 256


@dataclass(frozen=True)
class SentenceCheck:
    """One sentence after the non-blocking sentence stages."""

    text: str
    removed: bool
    findings: tuple[Finding, ...]

    @property
    def categories(self) -> tuple[Category, ...]:
        return sorted_categories(finding.category for finding in self.findings)


def trailing_space(sentence: str) -> str:
    """The whitespace a sentence ends with, kept when the sentence itself is replaced."""
    return sentence[len(sentence.rstrip()) :]


class Guard:
    """Checks texts in both directions; safe to share between threads once built."""

    def __init__(
        self, settings: GuardSettings | None = None, facts: FactSource | None = None
    ) -> None:
        self.settings = settings if settings is not None else GuardSettings()
        self._facts = facts
        self._turn_facts: OrderedDict[GroundingContext, TurnFacts] = OrderedDict()
        self._lock = threading.Lock()

    def with_facts(self, facts: FactSource) -> Guard:
        """This guard's settings over other facts (e.g. one turn's live offers)."""
        return Guard(self.settings, facts)

    @property
    def facts(self) -> FactSource:
        """Where grounding looks facts up: the one given, else the bundled store."""
        if self._facts is None:
            self._facts = StoreFacts()
        return self._facts

    def turn_facts(self, context: GroundingContext | None) -> TurnFacts | None:
        """The facts of ``context``'s products, gathered once per context."""
        if not context:
            return None
        with self._lock:
            cached = self._turn_facts.get(context)
        if cached is None:
            cached = TurnFacts.gather(context, self.facts)
            with self._lock:
                self._turn_facts[context] = cached
                while len(self._turn_facts) > _TURN_FACTS_CACHE:
                    self._turn_facts.popitem(last=False)
        return cached

    def locale_of(self, text: str, locale: Locale | None = None) -> Locale:
        return locale or detect_locale(text, self.settings.default_locale)

    def _on(self, enabled: bool, directions: tuple[Direction, ...], direction: Direction) -> bool:
        return self.settings.enabled and enabled and direction in directions

    # --- the stages, as the guard runs them ---------------------------------------------------

    def blocking_findings(self, text: str, direction: Direction) -> tuple[Finding, ...]:
        """Injection and toxicity findings: any of them blocks ``text``."""
        settings = self.settings
        findings: tuple[Finding, ...] = ()
        if self._on(settings.injection_enabled, settings.injection_directions, direction):
            findings += check_injection(
                text,
                direction,
                decode=settings.injection_decode,
                markers=settings.system_prompt_markers,
                scan_chars=settings.injection_scan_chars,
            )
        if self._on(settings.toxicity_enabled, settings.toxicity_directions, direction):
            findings += check_toxicity(text)
        return findings

    def replacement(
        self, findings: tuple[Finding, ...], direction: Direction, locale: Locale
    ) -> str:
        """What stands in for a blocked text."""
        if direction == "output":
            return templates.REPLY_FALLBACK.render(locale)
        if any(finding.category == "prompt_injection" for finding in findings):
            return templates.INJECTION_REFUSAL.render(locale)
        return templates.ABUSE_REFUSAL.render(locale)

    def clean(self, text: str, direction: Direction) -> tuple[str, tuple[Finding, ...]]:
        """Format (stage 6) and PII (stage 1): the edits that never remove a sentence."""
        settings = self.settings
        findings: list[Finding] = []
        if self._on(settings.format_enabled, settings.format_directions, direction):
            cleaned, removed = clean_format(
                text, settings.allowed_link_domains, settings.max_repeat
            )
            if removed:
                findings.append(Finding("format", "correct", "removed " + ", ".join(removed)))
                text = cleaned
        if self._on(settings.pii_enabled, settings.pii_directions, direction):
            text, masked = mask_pii(text, settings.pii_kinds)
            findings.extend(masked)
        return text, tuple(findings)

    def check_sentence(
        self,
        sentence: str,
        direction: Direction,
        facts: TurnFacts | None,
        locale: Locale,
    ) -> SentenceCheck:
        """Competitor (stage 4) and grounding (stage 5) for one sentence."""
        settings = self.settings
        findings: list[Finding] = []
        if self._on(settings.competitor_enabled, settings.competitor_directions, direction):
            spans = find_competitors(sentence, settings.competitor_names)
            if spans and settings.competitor_action == "remove_sentence":
                removed = Finding("competitor", "mask", "sentence removed: names another store")
                return SentenceCheck(sentence, True, (removed,))
            if spans:
                other = templates.OTHER_STORE.render(locale)
                sentence = replace_spans(sentence, [(start, end, other) for start, end in spans])
                findings.append(Finding("competitor", "mask", f"{len(spans)} store name(s) masked"))
        if self._on(settings.grounding_enabled, settings.grounding_directions, direction):
            grounded = ground_sentence(sentence, facts, self.facts, settings.grounding_skip_words)
            findings.extend(grounded.findings)
            if grounded.removed:
                return SentenceCheck(sentence, True, tuple(findings))
            sentence = grounded.text
        return SentenceCheck(sentence, False, tuple(findings))

    def _sentence_stages_on(self, direction: Direction) -> bool:
        settings = self.settings
        return self._on(
            settings.competitor_enabled, settings.competitor_directions, direction
        ) or self._on(settings.grounding_enabled, settings.grounding_directions, direction)

    # --- whole texts ----------------------------------------------------------------------------

    def check(
        self,
        text: str,
        direction: Direction,
        context: GroundingContext | None = None,
        locale: Locale | None = None,
    ) -> Verdict:
        """The verdict on one whole text: a shopper's message or a complete reply."""
        if not self.settings.enabled or not text:
            return Verdict("allow", (), text, ())
        language = self.locale_of(text, locale)
        blocking = self.blocking_findings(text, direction)
        if blocking:
            return Verdict(
                "block",
                sorted_categories(finding.category for finding in blocking),
                self.replacement(blocking, direction, language),
                blocking,
            )
        working, cleaned = self.clean(text, direction)
        findings = list(cleaned)
        if self._sentence_stages_on(direction):
            working, sentence_findings = self._check_sentences(
                working, direction, self.turn_facts(context), language
            )
            findings.extend(sentence_findings)
        settings = self.settings
        if self._on(settings.length_enabled, settings.length_directions, direction):
            capped = cap_length(working, settings.max_chars)
            if capped != working:
                findings.append(Finding("length", "correct", f"cut to {len(capped)} characters"))
                working = capped
        found = tuple(findings)
        return Verdict(
            verdict_action(found),
            sorted_categories(finding.category for finding in found),
            working,
            found,
        )

    def _check_sentences(
        self, text: str, direction: Direction, facts: TurnFacts | None, locale: Locale
    ) -> tuple[str, list[Finding]]:
        parts: list[str] = []
        findings: list[Finding] = []
        notice = templates.SENTENCE_REMOVED.render(locale)
        previous_removed = False
        for sentence in split_sentences(text):
            checked = self.check_sentence(sentence, direction, facts, locale)
            findings.extend(checked.findings)
            if checked.removed:
                if previous_removed:
                    parts[-1] = notice + trailing_space(sentence)
                else:
                    parts.append(notice + trailing_space(sentence))
                previous_removed = True
            else:
                parts.append(checked.text)
                previous_removed = False
        return "".join(parts), findings
