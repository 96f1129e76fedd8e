"""Guardrail stage: mask personal data in replies and cap their length."""

from __future__ import annotations

import re
from collections.abc import Callable

from agents.text import clip
from schemas.events import FinalReply, ReplyChunk, derive_id, utc_now

MAX_REPLY_CHARS = 2000

# ASCII lookarounds, not \b: kana are word characters, so "電話は090-1234-5678です"
# has no \b around the number.
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# 13-19 digits, contiguous or in groups of four; Amex as 4-6-5.
_CARD_RE = re.compile(
    r"(?<![0-9A-Za-z+-])(?:\d{4}([ -]?)\d{4}\1\d{4}\1\d{1,7}|\d{4}([ -]?)\d{6}\2\d{5})"
    r"(?![0-9A-Za-z])(?!-\d)"
)
# Japanese numbers: 03-1234-5678, 090-1234-5678, 0120-123-456, 03(1234)5678, also
# typed with full-width digits, hyphens and parentheses.
_JP_PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z+-])[0０]\d{1,4}[-‐－\s(（]?\d{1,4}[-‐－\s)）]?\d{3,4}(?![0-9A-Za-z])(?!-\d)"
)
# International numbers: +81 90 1234 5678, +1 (415) 555-2671, +44 20 7946 0958.
_INTL_PHONE_RE = re.compile(
    r"(?<![0-9A-Za-z+])\+\d{1,3}(?:[-\s.]?\(?\d{1,4}\)?){2,5}(?![0-9A-Za-z])(?!-\d)"
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _is_card(number: str) -> bool:
    # Visa, Mastercard, Amex, JCB, Discover and UnionPay numbers start with 2 to 6;
    # that leaves out ISBN-13s (978...) that happen to pass Luhn.
    digits = _digits(number)
    return 13 <= len(digits) <= 19 and 2 <= int(digits[0]) <= 6 and _luhn_ok(digits)


def _is_jp_phone(number: str) -> bool:
    return len(_digits(number)) in (10, 11)


def _is_intl_phone(number: str) -> bool:
    return 8 <= len(_digits(number)) <= 15


def _mask(text: str, pattern: re.Pattern[str], accept: Callable[[str], bool], label: str) -> str:
    """``text`` with every match of ``pattern`` that ``accept`` approves replaced by ``label``.

    Unlike ``re.sub``, a rejected match does not swallow its characters: a
    failed Luhn check on "5678 4111 1111 1111" must not hide the card that
    starts one group later.
    """
    parts: list[str] = []
    kept_from = 0
    match = pattern.search(text)
    while match:
        if accept(match.group()):
            parts += (text[kept_from : match.start()], label)
            kept_from = match.end()
            match = pattern.search(text, match.end())
        else:
            match = pattern.search(text, match.start() + 1)
    return "".join(parts) + text[kept_from:] if parts else text


_NUMBER_MASKS: tuple[tuple[re.Pattern[str], Callable[[str], bool], str], ...] = (
    (_CARD_RE, _is_card, "[card]"),
    (_JP_PHONE_RE, _is_jp_phone, "[phone]"),
    (_INTL_PHONE_RE, _is_intl_phone, "[phone]"),
)
# Every phone or card number has a run of seven digits or more, with at most
# two separators between them; text without one skips the three patterns above.
_NUMBERISH_RE = re.compile(r"\d(?:[-‐－\s.()（）]{0,2}\d){6}")


def mask_pii(text: str) -> tuple[str, bool]:
    """``text`` with emails, phone numbers and card numbers masked, and whether any were."""
    masked = text
    # Emails first, so their digits are not read as a phone number.
    if "@" in masked:
        masked = _EMAIL_RE.sub("[email]", masked)
    if _NUMBERISH_RE.search(masked):
        for pattern, accept, label in _NUMBER_MASKS:
            masked = _mask(masked, pattern, accept, label)
    return masked, masked != text


def guard_text(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` made safe to show, and the flags raised, sorted: "length", "pii"."""
    # Mask before cutting, so a cut cannot leave half a number unrecognised.
    masked, has_pii = mask_pii(text)
    guarded = clip(masked, MAX_REPLY_CHARS)
    flags = [flag for flag, raised in (("length", guarded != masked), ("pii", has_pii)) if raised]
    return guarded, tuple(flags)


def guard_chunk(chunk: ReplyChunk) -> ReplyChunk:
    """The guardrail stage for one streamed chunk."""
    text, _ = guard_text(chunk.text)
    return chunk.model_copy(
        update={"event_id": derive_id(chunk.event_id, "guardrail"), "ts": utc_now(), "text": text}
    )


def guard_final(final: FinalReply) -> FinalReply:
    """The guardrail stage for a turn's closing reply; its flags join any already set."""
    text, flags = guard_text(final.text)
    return final.model_copy(
        update={
            "event_id": derive_id(final.event_id, "guardrail"),
            "ts": utc_now(),
            "text": text,
            "guardrail_flags": tuple(sorted({*final.guardrail_flags, *flags})),
        }
    )
