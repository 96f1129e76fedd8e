"""Stage 1: personal data, found and masked, in Japanese and English text.

Masks: ``[email]``, ``[phone]``, ``[card]``, ``[mynumber]``, ``[address]``,
``[secret]``. Everything is matched on the folded text (full-width digits and
letters, ideographic spaces and the dashes an IME types count as their ASCII
selves; zero-width characters are skipped) and masked in the original.

What is never masked: order ids (250-1234567-7654321, D01-…), ASINs, ISBNs,
prices, dates, volume numbers and tracking numbers named as such; numbers need
the right digit count and, for cards and My Numbers, a valid check digit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from agents.guard.folding import Folded, fold_with_map, replace_spans
from agents.guard.model import Finding
from agents.guard.settings import PII_KINDS, PiiKind

MASKS: dict[PiiKind, str] = {
    "email": "[email]",
    "phone": "[phone]",
    "card": "[card]",
    "mynumber": "[mynumber]",
    "address": "[address]",
    "secret": "[secret]",
}

# Lookarounds are ASCII classes, not \b or \w: kana and kanji are word characters,
# so "電話は090-1234-5678です" has no \b around the number.
_NOT_BEFORE = r"(?<![0-9a-z+\-])"
_NOT_AFTER = r"(?![0-9a-z])(?!-[0-9])"

_EMAIL_RE = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![a-z0-9-])"
)
# "taro at example dot com", "taro(at)example.com", "taro アットマーク example.com".
_OBFUSCATED_EMAIL_RE = re.compile(
    r"(?<![a-z0-9._%+-])[a-z0-9._%+-]+(?:\s(?:dot|\(dot\)|\[dot\])\s[a-z0-9._%+-]+)*"
    r"\s*(?:\(at\)|\[at\]|\{at\}|\sat\s|アットマーク|あっとまーく)\s*"
    r"[a-z0-9-]+(?:\s*(?:\(dot\)|\[dot\]|\sdot\s|\.)\s*[a-z0-9-]+)*"
    r"\s*(?:\(dot\)|\[dot\]|\sdot\s|\.)\s*(?:com|net|org|jp|co\.jp|ne\.jp|io|dev|info|biz|uk|us)"
    r"(?![a-z0-9-])"
)
# 03-1234-5678, 090-1234-5678, 0120-123-456, 09012345678, 03(1234)5678, (03)1234-5678.
_JP_PHONE_RE = re.compile(
    _NOT_BEFORE + r"(?:\(0[0-9]{1,4}\)\s?[0-9]{1,4}[-\s.]?[0-9]{3,4}"
    r"|0[0-9]{1,4}[-\s.]?\(?[0-9]{1,4}\)?[-\s.]?[0-9]{3,4})" + _NOT_AFTER
)
# +81 90 1234 5678, +81-3-1234-5678, +81 (0)90-1234-5678, +1 (415) 555-2671, +44 20 7946 0958.
_INTL_PHONE_RE = re.compile(
    r"(?<![0-9a-z+])\+\s?[0-9]{1,3}(?:[-\s.]?\(?[0-9]{1,4}\)?){2,5}" + _NOT_AFTER
)
# North American numbers without a country code: (415) 555-2671, 415-555-2671.
_NANP_PHONE_RE = re.compile(
    _NOT_BEFORE + r"\(?[2-9][0-9]{2}\)?[-\s.]?[2-9][0-9]{2}[-.\s][0-9]{4}" + _NOT_AFTER
)
# 13-19 digits, contiguous or in groups of four; Amex as 4-6-5.
_CARD_RE = re.compile(
    _NOT_BEFORE
    + r"(?:[0-9]{4}([ -]?)[0-9]{4}\1[0-9]{4}\1[0-9]{1,7}|[0-9]{4}([ -]?)[0-9]{6}\2[0-9]{5})"
    + _NOT_AFTER
)
# 12 digits, contiguous or 4-4-4.
# A group more on either side makes it some other number ("4111 1111 1111 1112").
_MYNUMBER_RE = re.compile(
    _NOT_BEFORE + r"(?<![0-9][ -])[0-9]{4}([ -]?)[0-9]{4}\1[0-9]{4}" + _NOT_AFTER + r"(?![ -][0-9])"
)
_MYNUMBER_WORDS_RE = re.compile(r"マイナンバー|個人番号|my ?number|individual number")
_TRACKING_WORDS_RE = re.compile(
    r"伝票番号|追跡番号|問い合わせ番号|問合せ番号|トラッキング|tracking|waybill|jan|isbn|注文番号|order"
)

# Spans no number-shaped kind may overlap.
_PROTECTED_RE = re.compile(
    r"(?<![0-9a-z-])(?:[0-9]{3}|d[0-9]{2})-[0-9]{7}-[0-9]{7}(?![0-9a-z-])"  # order ids
    r"|(?<![0-9a-z])b0[0-9a-z]{8}(?![0-9a-z])"  # ASINs
    r"|(?<![0-9a-z-])97[89](?:-?[0-9]){10}(?![0-9a-z-])"  # ISBN-13
    r"|(?<![0-9])[0-9]{4}(?:-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2}|年[0-9]{1,2}月[0-9]{1,2}日)"
    r"|[¥$]\s?[0-9][0-9,]*|(?<![0-9,])[0-9][0-9,]*\s?(?:円|yen)"
)

_PREFECTURES_JA = (
    "北海道|青森県|岩手県|宮城県|秋田県|山形県|福島県|茨城県|栃木県|群馬県|埼玉県|千葉県|東京都|"
    "神奈川県|新潟県|富山県|石川県|福井県|山梨県|長野県|岐阜県|静岡県|愛知県|三重県|滋賀県|京都府|"
    "大阪府|兵庫県|奈良県|和歌山県|鳥取県|島根県|岡山県|広島県|山口県|徳島県|香川県|愛媛県|高知県|"
    "福岡県|佐賀県|長崎県|熊本県|大分県|宮崎県|鹿児島県|沖縄県"
)
_PLACES_EN = (
    "hokkaido|aomori|iwate|miyagi|akita|yamagata|fukushima|ibaraki|tochigi|gunma|saitama|chiba|"
    "tokyo|kanagawa|niigata|toyama|ishikawa|fukui|yamanashi|nagano|gifu|shizuoka|aichi|mie|shiga|"
    "kyoto|osaka|hyogo|nara|wakayama|tottori|shimane|okayama|hiroshima|yamaguchi|tokushima|kagawa|"
    "ehime|kochi|fukuoka|saga|nagasaki|kumamoto|oita|miyazaki|kagoshima|okinawa|yokohama|nagoya|"
    "sapporo|kobe|kawasaki|sendai|kitakyushu|japan"
)
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶケ"
_KATAKANA = "\u30a1-\u30fa\u30fc"
_POSTAL = r"[0-9]{3}-?[0-9]{4}"
_POSTAL_MARKED_RE = re.compile(
    r"(?:〒|postal code|post code|postcode|zip code|zip|郵便番号)\s*(?:is|:|は)?\s*("
    + _POSTAL
    + r")"
    + _NOT_AFTER
)
_POSTAL_BARE_RE = re.compile(r"(?<![0-9a-z+\-])[0-9]{3}-[0-9]{4}" + _NOT_AFTER)
_REGION_AFTER_RE = re.compile(
    r"[\s,、]*(?:" + _PREFECTURES_JA + r"|(?:" + _PLACES_EN + r")(?![a-z]))"
)
_REGION_BEFORE_RE = re.compile(r"(?:" + _PLACES_EN + r")[\s,]*\Z")
# A Japanese street address without a postal code: prefecture or city, then a block number.
_JA_ADDRESS_RE = re.compile(
    r"(?:(?:" + _PREFECTURES_JA + r")|[" + _KANJI + r"]{1,5}(?:市|区|郡))"
    r"[" + _KANJI + _KATAKANA + r"の]{0,16}?"
    r"(?:[0-9]{1,4}(?:丁目|番地|番|-[0-9]{1,4})|[一二三四五六七八九十]{1,3}丁目)"
    r"|(?:(?:" + _PREFECTURES_JA + r")|[" + _KANJI + r"]{1,5}(?:市|区|郡))"
    r"["
    + _KANJI
    + _KATAKANA
    + r"ぁ-ん]{0,16}?(?:[0-9]{1,4}(?:丁目|番地)|[0-9]{1,4}-[0-9]{1,4}-[0-9]{1,4})"
)
_ADDRESS_CHAR_RE = re.compile(f"[{_KANJI}{_KATAKANA}0-9a-z#()\\-・.]")
_ADDRESS_WORD_RE = re.compile(f"[{_KANJI}{_KATAKANA}0-9a-z]")
_NAME_CHAR_RE = re.compile(f"[{_KANJI}{_KATAKANA}]")
# An English one: "1-2-3 Nishi-Shinjuku, Shinjuku-ku, Tokyo".
_EN_ADDRESS_RE = re.compile(
    r"(?<![0-9a-z-])[0-9]{1,4}-[0-9]{1,4}(?:-[0-9]{1,4})?,?\s+[a-z][a-z'-]+"
    r"(?:,?\s+[a-z][a-z'-]+){0,4}?,?\s+(?:[a-z]+-(?:ku|shi|cho|machi|gun)|" + _PLACES_EN + r")"
    r"(?![a-z])"
    r"|(?<![a-z])(?:" + _PLACES_EN + r"|[a-z]+-(?:ku|shi|cho|machi|gun))"
    r"(?:,\s*[a-z][a-z'-]+){1,4},?\s+[0-9]{1,4}-[0-9]{1,4}(?:-[0-9]{1,4})?(?![0-9])"
)
_EN_ADDRESS_STOPS = frozenset(
    {
        "please", "pls", "and", "by", "before", "thanks", "thank", "asap", "for", "is", "it",
        "my", "to", "when", "if", "so", "but", "or", "the", "i", "you", "we", "can", "could",
        "would", "will", "ship", "send", "deliver", "tomorrow", "today", "this", "that", "with",
        "via", "on", "at", "address", "phone", "tel", "email", "call", "from", "was", "are",
    }
)  # fmt: skip

_SECRET_EN_RE = re.compile(
    r"(?<![a-z])(?P<key>passwords?|passwd|pass ?word"
    r"|passcode|pass code|pwd|pw|pin(?: code| number)?"
    r"|security code|cvv2?|cvc|api[ _-]?key|access[ _-]?key|secret key|client secret|api secret"
    r"|auth token|access token|token"
    r"|otp|one[- ]time (?:password|code)|verification code|login code|auth code)(?![a-z])"
    # "the security code on the back is 737", "password for my account: …"
    r"(?P<gap>(?:\s+(?:on|of|for|to|at)\s+(?:the\s+|my\s+|this\s+|your\s+)?[a-z]+){0,2})"
    r"(?P<sep>\s*(?:is|was|=|:|are|'s)\s*|\s*-\s*|\s+)[\"'“‘]?"
    r"(?P<value>[!-~]{3,80})"
)
_SECRET_JA_RE = re.compile(
    r"(?P<key>パスワード|パスコード|暗証番号|ピン番号|(?<![a-z])pin(?:コード|番号)?(?![a-z])"
    r"|セキュリティコード|認証コード|確認コード|ワンタイムパスワード|apiキー|アクセスキー"
    r"|シークレットキー|トークン)"
    r"(?P<sep>\s*(?:は|が|を|も)?\s*[:=]?\s*)[「\"']?"
    r"(?P<value>[!-~]{3,80})"
)
_SECRET_VALUE_STOPWORDS = frozenset(
    {
        "not", "wrong", "incorrect", "reset", "expired", "working", "forgotten", "required",
        "changed", "same", "too", "the", "a", "an", "my", "it", "correct", "invalid", "case",
        "and", "or", "for", "to", "of", "field", "again", "now", "please", "still", "lost",
        "locked", "blocked", "does", "doesn't", "didn't", "don't", "isn't", "wasn't", "will",
        "won't", "can't", "cannot", "should", "must", "that", "this", "what", "which", "how",
        "change", "help", "mail", "email", "number", "code", "page", "screen", "link", "reminder",
        "manager", "here", "there", "in", "on", "at", "with", "without", "sent", "set", "used",
        "been", "being", "very", "really", "rejected", "accepted", "shown", "hidden", "needed",
        "new", "old", "strong", "weak", "short", "long", "simple", "hard", "easy", "fine", "ok",
        "okay", "reuse", "recovery", "protected", "saved", "stored", "kept", "safe", "secure",
        "problem", "issue", "error", "twice", "every", "each", "only", "just", "also",
    }
)  # fmt: skip
_API_KEY_RE = re.compile(
    r"(?<![0-9a-z])(?:sk-(?:live-|test-|proj-)?[0-9a-z_-]{16,}|sk_(?:live|test)_[0-9a-z]{16,}"
    r"|(?:akia|asia)[0-9a-z]{16}|gh[pousr]_[0-9a-z]{30,}|github_pat_[0-9a-z_]{30,}"
    r"|xox[abpr]-[0-9a-z-]{10,}|aiza[0-9a-z_-]{35}"
    r"|eyj[0-9a-z_-]{8,}\.eyj[0-9a-z_-]{8,}\.[0-9a-z_-]{8,}"
    r"|-----begin (?:rsa |ec |openssh )?private key-----[\s\S]*?(?:-----end (?:rsa |ec |openssh )?"
    r"private key-----|\Z))"
)
_NUMBERISH_RE = re.compile(r"[0-9](?:[-\s.()]{0,3}[0-9]){6}")


@dataclass(frozen=True)
class PiiSpan:
    """Personal data at ``original[start:end]``."""

    start: int
    end: int
    kind: PiiKind


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def my_number_ok(digits: str) -> bool:
    """The official check digit of a 12-digit 個人番号 (My Number).

    With P(n) the n-th of the first eleven digits counted from the right and
    Q(n) = n + 1 for n ≤ 6, n − 5 for n ≥ 7: the remainder r of Σ P(n)·Q(n)
    divided by 11 gives the check digit 0 when r ≤ 1, else 11 − r.
    """
    if len(digits) != 12 or not digits.isdigit():
        return False
    body = [int(char) for char in digits[:11]]
    total = sum(body[11 - n] * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    remainder = total % 11
    return int(digits[11]) == (0 if remainder <= 1 else 11 - remainder)


def _is_card(number: str) -> bool:
    # Card networks start with 2 to 6, which leaves out ISBN-13s (978…) that pass Luhn.
    digits = _digits(number)
    return 13 <= len(digits) <= 19 and 2 <= int(digits[0]) <= 6 and luhn_ok(digits)


def _scan(
    pattern: re.Pattern[str], text: str, accept: Callable[[re.Match[str]], bool]
) -> Iterator[re.Match[str]]:
    """Every match ``accept`` approves; a rejected match does not swallow its characters.

    A failed Luhn check on "5678 4111 1111 1111 1111" must not hide the card
    starting one group later.
    """
    match = pattern.search(text)
    while match:
        if accept(match):
            yield match
            match = pattern.search(text, match.end())
        else:
            match = pattern.search(text, match.start() + 1)


def _window_before(text: str, start: int, size: int = 24) -> str:
    return text[max(0, start - size) : start]


def _numbers(folded: str) -> Iterator[tuple[int, int, PiiKind]]:
    def jp_phone(match: re.Match[str]) -> bool:
        return len(_digits(match.group())) in (10, 11)

    def intl_phone(match: re.Match[str]) -> bool:
        return 8 <= len(_digits(match.group())) <= 15

    def my_number(match: re.Match[str]) -> bool:
        before = _window_before(folded, match.start())
        if _MYNUMBER_WORDS_RE.search(before):
            return True
        return my_number_ok(_digits(match.group())) and not _TRACKING_WORDS_RE.search(before)

    cards = [match.span() for match in _scan(_CARD_RE, folded, lambda m: _is_card(m.group()))]
    yield from ((start, end, "card") for start, end in cards)
    # Cards claim their digits first: "+81 90 1234 5678 4111 1111 1111 1111" is a phone
    # number and a card, not one 28-digit number that is neither.
    rest = folded
    for start, end in cards:
        rest = rest[:start] + "#" * (end - start) + rest[end:]
    checks: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], bool], PiiKind], ...] = (
        (_MYNUMBER_RE, my_number, "mynumber"),
        (_INTL_PHONE_RE, intl_phone, "phone"),
        (_JP_PHONE_RE, jp_phone, "phone"),
        (_NANP_PHONE_RE, lambda match: len(_digits(match.group())) == 10, "phone"),
    )
    for pattern, accept, kind in checks:
        for match in _scan(pattern, rest, accept):
            yield match.start(), match.end(), kind


def _joins_address(char: str, following: str) -> bool:
    if char in " \u3000":
        return _ADDRESS_WORD_RE.match(following) is not None
    return char in "のがヶ" and _NAME_CHAR_RE.match(following) is not None


def _extend_address_ja(folded: str, start: int, limit: int = 64) -> int:
    """The end of a Japanese address starting at ``start``: kanji, kana names, numbers, rooms."""
    position = start
    end = start
    stop = min(len(folded), start + limit)
    while position < stop:
        char = folded[position]
        if _ADDRESS_CHAR_RE.match(char):
            position += 1
            end = position
        elif position + 1 < stop and _joins_address(char, folded[position + 1]):
            # A space before more of the address, or の/が/ヶ inside a place name (丸の内).
            position += 1
        else:
            break
    return end


def _extend_address_en(folded: str, start: int, limit: int = 80) -> int:
    """The end of an English address continuing at ``start``, up to a stop word or sentence end."""
    end = start
    for token in re.finditer(r"[^\s,]+", folded[start : start + limit]):
        word = token.group()
        if word.rstrip(".:;!?") in _EN_ADDRESS_STOPS or word.endswith(":"):
            break
        if re.search(r"[.;!?]$", word) and not re.fullmatch(r"(?:apt|no|bldg|fl|rm|st)\.", word):
            end = start + token.end() - 1
            break
        end = start + token.end()
    return end


def _start_address_en(folded: str, end: int, limit: int = 80) -> int:
    """Where an English address that ends at ``end`` begins, scanning back to a stop word."""
    window_start = max(0, end - limit)
    start = end
    tokens = list(re.finditer(r"[^\s,]+", folded[window_start:end]))
    for token in reversed(tokens):
        word = token.group()
        if word.rstrip(".:;!?") in _EN_ADDRESS_STOPS or re.search(r"[.:;!?]$", word):
            break
        start = window_start + token.start()
    return start


def _addresses(folded: str) -> Iterator[tuple[int, int, PiiKind]]:
    for match in _POSTAL_MARKED_RE.finditer(folded):
        # "〒" goes with the code; "postal code:" and "郵便番号は" stay.
        start = match.start() if folded[match.start()] == "〒" else match.start(1)
        yield start, _address_after(folded, match.end()), "address"
    for match in _POSTAL_BARE_RE.finditer(folded):
        region = _REGION_AFTER_RE.match(folded, match.end())
        if region:
            yield match.start(), _address_after(folded, match.end()), "address"
        elif _REGION_BEFORE_RE.search(folded, 0, match.start()):
            yield _start_address_en(folded, match.start()), match.end(), "address"
    for match in _JA_ADDRESS_RE.finditer(folded):
        yield match.start(), _extend_address_ja(folded, match.end()), "address"
    for match in _EN_ADDRESS_RE.finditer(folded):
        yield match.start(), max(match.end(), _extend_address_en(folded, match.start())), "address"


def _address_after(folded: str, postal_end: int) -> int:
    """The end of the address that follows a postal code, or the code's own end."""
    gap = re.match(r"[\s,、]*", folded[postal_end:])
    start = postal_end + (gap.end() if gap else 0)
    if start >= len(folded):
        return postal_end
    if _NAME_CHAR_RE.match(folded[start]):
        return max(postal_end, _extend_address_ja(folded, start))
    if folded[start].isascii() and folded[start].isalnum():
        return max(postal_end, _extend_address_en(folded, start))
    return postal_end


def _secrets(folded: str) -> Iterator[tuple[int, int, PiiKind]]:
    for match in _API_KEY_RE.finditer(folded):
        yield match.start(), match.end(), "secret"
    for pattern in (_SECRET_EN_RE, _SECRET_JA_RE):
        for match in pattern.finditer(folded):
            value = match.group("value")
            # Trailing punctuation closes the sentence, not the secret.
            trimmed = value.rstrip(".,;:!?)\"'」")
            if len(trimmed) < 3 and not trimmed.isdigit():
                continue
            if trimmed.lower() in _SECRET_VALUE_STOPWORDS or trimmed.startswith("["):
                continue
            spaced = match.group("sep").strip() in ("", "-")
            # A hyphen or apostrophe makes a word ("sign-in"), not a secret.
            has_sign = any(
                char.isdigit() or (char not in "-'" and not char.isalpha()) for char in trimmed
            )
            if pattern is _SECRET_EN_RE and spaced and (not has_sign or match.group("gap")):
                # "password reset", "token budget", "password on the sign-in page":
                # without "is" or ":" only a value with a digit or symbol right
                # after the word counts.
                continue
            if pattern is _SECRET_JA_RE and not has_sign and not match.group("sep").strip():
                continue
            start = match.start("value")
            yield start, start + len(trimmed), "secret"


def find_pii(text: str, kinds: tuple[PiiKind, ...] = PII_KINDS) -> list[PiiSpan]:
    """The personal data in ``text``, as non-overlapping spans of the original, in order."""
    if not text:
        return []
    folded = fold_with_map(text)
    return [
        PiiSpan(*folded.span(start, end), kind)
        for start, end, kind in _find_folded(folded, frozenset(kinds))
    ]


def _find_folded(folded: Folded, kinds: frozenset[PiiKind]) -> list[tuple[int, int, PiiKind]]:
    text = folded.text
    found: list[tuple[int, int, PiiKind]] = []
    if "secret" in kinds:
        found.extend(_secrets(text))
    if "email" in kinds and ("@" in text or "at" in text or "アット" in text or "あっと" in text):
        found.extend(
            (match.start(), match.end(), "email")
            for pattern in (_EMAIL_RE, _OBFUSCATED_EMAIL_RE)
            for match in pattern.finditer(text)
        )
    has_digits = any(char.isdigit() for char in text)
    if "address" in kinds and has_digits:
        found.extend(_addresses(text))
    if kinds & {"card", "mynumber", "phone"} and _NUMBERISH_RE.search(text):
        protected = [match.span() for match in _PROTECTED_RE.finditer(text)]
        found.extend(
            (start, end, kind)
            for start, end, kind in _numbers(text)
            if kind in kinds and not any(s < end and start < e for s, e in protected)
        )
    # Earliest first, longest first at one position; a span inside a kept one goes.
    found.sort(key=lambda span: (span[0], -span[1]))
    kept: list[tuple[int, int, PiiKind]] = []
    for span in found:
        if span[1] > span[0] and (not kept or span[0] >= kept[-1][1]):
            kept.append(span)
    return kept


def mask_pii(text: str, kinds: tuple[PiiKind, ...] = PII_KINDS) -> tuple[str, tuple[Finding, ...]]:
    """``text`` with its personal data masked, and one finding per kind masked."""
    spans = find_pii(text, kinds)
    if not spans:
        return text, ()
    masked = replace_spans(text, [(span.start, span.end, MASKS[span.kind]) for span in spans])
    counts: dict[PiiKind, int] = {}
    for span in spans:
        counts[span.kind] = counts.get(span.kind, 0) + 1
    findings = tuple(
        Finding("pii", "mask", f"{kind}: {count} masked") for kind, count in counts.items()
    )
    return masked, findings
