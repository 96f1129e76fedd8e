"""Stage 5: the facts a reply states, checked against the store, one sentence at a time.

Claims checked: prices (¥1,234 / 1,234円 / 1234 yen), dates (2026-03-14,
2026/3/14, 2026年3月14日, March 14, 2026, 14 March 2026), ASINs, stock
(in stock, only a few left, out of stock, available to pre-order; 在庫あり,
残りわずか, 在庫切れ, 予約受付中 and their variants) and volume counts
("(12 volumes)", "all 12 volumes", 「全12巻」「既刊12巻」「12巻完結」).

A value passes when it matches any fact of the turn's products (its ASINs,
its series and their items, its orders). A wrong one is corrected when the
products the sentence is about agree on the right value: the products it
names (by ASIN, or by title narrowed by a format word), else the turn's
products. Otherwise the sentence is removed, as is any sentence quoting an
ASIN the catalog does not have.

Only sentences about a product are checked: ones that name one of the turn's
products or orders, point at one ("it", "this", "Vol. 2", "Kindle edition",
「こちら」, 「3巻」) or say nothing but the claim (「在庫切れです。」); a price
or date claim also counts next to a price or release word (価格, "price",
発売, "released"). General store talk ("Each point is worth 1 yen", "On the
page of an out-of-stock item…"), sentences about store policy (shipping,
points, coupons; see ``grounding_skip_words``) and negated stock phrases
("never go out of stock", 「在庫切れにはなりません」) are left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from agents.guard.facts import FactSource, ItemFacts, OrderFacts, SeriesFacts, TurnFacts, compact
from agents.guard.folding import Folded, fold, fold_with_map, replace_spans
from agents.guard.model import Finding

ClaimKind = Literal["price", "date", "asin", "stock", "volumes"]
Value = int | date | str

_PRICE_RE = re.compile(
    r"(?:¥|jpy)\s?(?P<a>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?![0-9]|,[0-9])"
    r"|(?<![0-9a-z,.])(?P<b>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\s?(?:円|yen|jpy)(?![a-z])"
)
_MONTHS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_MONTH_RE = (
    r"(?P<mon>january|february|march|april|may|june|july|august|september|october|november"
    r"|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)"
)
_DATE_RE = re.compile(
    r"(?<![0-9])(?P<iso>(?P<y1>[0-9]{4})-(?P<m1>[0-9]{1,2})-(?P<d1>[0-9]{1,2}))(?![0-9])"
    r"|(?<![0-9])(?P<slash>(?P<y2>[0-9]{4})/(?P<m2>[0-9]{1,2})/(?P<d2>[0-9]{1,2}))(?![0-9])"
    r"|(?P<ja>(?P<y3>[0-9]{4})\s?年\s?(?P<m3>[0-9]{1,2})\s?月\s?(?P<d3>[0-9]{1,2})\s?日)"
    r"|(?<![a-z])(?P<mdy>"
    + _MONTH_RE
    + r"\.?\s+(?P<d4>[0-9]{1,2})(?:st|nd|rd|th)?,?\s+(?P<y4>[0-9]{4}))"
    r"|(?<![0-9])(?P<dmy>(?P<d5>[0-9]{1,2})(?:st|nd|rd|th)?\s+"
    + _MONTH_RE.replace("mon>", "mon2>")
    + r"\.?,?\s+(?P<y5>[0-9]{4}))"
)
_ASIN_RE = re.compile(r"(?<![0-9a-z])b0[0-9a-z]{8}(?![0-9a-z])")
_STOCK_RE = re.compile(
    r"(?P<out_of_stock>not in stock|(?<!-)out of stock(?!-)|sold out|currently unavailable"
    r"|no longer available|在庫切れ|品切れ|売り切れ"
    r"|在庫(?:が|は)?(?:ありません|ございません|なし|無し)"
    r"|入荷待ち)"
    r"|(?P<low_stock>only (?:a )?few (?:left|remaining)"
    r"|(?:only )?a few left|few left|low (?:on )?stock"
    r"|limited stock|almost sold out|only [0-9]+ left|残りわずか|残り僅か|在庫僅少|在庫わずか"
    r"|残り[0-9]+(?:点|冊))"
    r"|(?P<preorder>available (?:to|for) pre-?order|(?:up|open) for pre-?order|pre-?orderable"
    r"|can be pre-?ordered|pre-?order (?:it )?now"
    r"|予約受付中|予約可能|予約受け付け中|予約受付け中|予約注文受付中|ご予約いただけます|予約できます)"
    r"|(?P<in_stock>(?<!-)(?<!back )in stock(?!-)|available now"
    r"|ready to ship|在庫あり|在庫有り|在庫がございます|在庫があります"
    r"|在庫ございます|在庫はございます|在庫はあります)"
)
_VOLUMES_RE = re.compile(
    r"(?:\(|(?<![a-z])(?:all|in|has|have|with|of|total|total of|spans?|complete in|runs? (?:to|for)"
    r"|consists of) )(?P<a>[0-9]{1,3})[- ]?vol(?:ume)?s?(?![a-z])"
    r"|(?<![0-9])(?P<b>[0-9]{1,3}) vol(?:ume)?s? (?:in total|in all|total|so far|published|released"
    r"|out now|long)"
    r"|(?:全|既刊)\s?(?P<c>[0-9]{1,3})\s?巻"
    r"|(?<![0-9第])(?P<d>[0-9]{1,3})\s?巻(?:で)?(?:完結|まで(?:発売|刊行|出て))"
)
_STOCK_PHRASES = {
    "en": {
        "in_stock": "in stock",
        "low_stock": "only a few left",
        "out_of_stock": "out of stock",
        "preorder": "available to pre-order",
    },
    "ja": {
        "in_stock": "在庫あり",
        "low_stock": "残りわずか",
        "out_of_stock": "在庫切れ",
        "preorder": "予約受付中",
    },
}
# A claim of one availability is true of these.
_STOCK_TRUE_OF = {
    "in_stock": frozenset({"in_stock", "low_stock"}),
    "low_stock": frozenset({"low_stock"}),
    "out_of_stock": frozenset({"out_of_stock"}),
    "preorder": frozenset({"preorder"}),
}
_FORMAT_WORDS = {
    "kindle": re.compile(r"kindle|電子|e-?book|digital"),
    "paperback": re.compile(r"paperback|単行本|紙の?本|print"),
    "box_set": re.compile(r"box ?set|全巻セット|ボックス"),
    "special_edition": re.compile(r"special edition|limited edition|特装版|限定版"),
}
# A sentence states a product's facts when it names one (title, ASIN, order id), points
# at one ("it", "this volume", 「こちら」, "Vol. 2", "Kindle edition") or is nothing but
# the claim (「在庫切れです。」). Others ("Each point is worth 1 yen", "On the page of an
# out-of-stock item…") talk about the store in general: their values are not checked.
_REFERENT_RE = re.compile(
    r"(?<![a-z])(?:it|it's|its|this|that|these|they|they're|this one|that one)(?![a-z'])"
    r"|(?<![a-z])vols?\.?\s*[0-9]|(?<![a-z])volume\s*[0-9]|(?<![0-9])[0-9]{1,4}\s*巻"
    r"|kindle (?:edition|version)|paperback|special edition|box set"
    r"|kindle版|単行本|特装版|全巻セット"
    r"|この(?:本|巻|商品|作品|シリーズ|タイトル|セット|版)|こちら|本作|同作|それ|これ"
)
_ABOUT_RE: dict[ClaimKind, re.Pattern[str]] = {
    "price": re.compile(r"(?<![a-z])(?:price[sd]?|priced at)(?![a-z])|価格|値段|定価|税込|本体"),
    "date": re.compile(
        r"(?<![a-z])(?:release[sd]?|releasing|comes out|came out|out on|on sale|publish(?:ed|es)?)"
        r"(?![a-z])|発売|刊行|配信|出版"
    ),
}
_FILLER_RE = re.compile(
    r"[\s\W_]+|です|でした|ます|ございます|現在|ただいま|(?<![a-z])(?:now|currently|is|are|was|the"
    r"|only|yes|sorry)(?![a-z])"
)
# "Kindle editions never go out of stock", 「在庫切れにはなりません」: not a claim.
_NEGATION_BEFORE_RE = re.compile(
    r"(?<![a-z])(?:never|not|no longer|won't|don't|doesn't|isn't)\s+(?:[a-z-]+\s+){0,2}\Z"
)
_NEGATION_AFTER_RE = re.compile(
    r"\A(?:に|と|で)?(?:は|も)?(?:なりません|なることはありません|ならない|なりにくい|ではありません|じゃない)"
)
_TOTAL_RE = re.compile(r"total|in all|合計|総額|お支払い")
_FROM_RE = re.compile(r"from|starting at|円から|から")


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind
    # The value's span in the original sentence: what a correction replaces.
    start: int
    end: int
    value: Value
    # How the value was written: the date style, the stock phrase's language, "," in a price.
    style: str


@dataclass(frozen=True)
class GroundedSentence:
    text: str
    removed: bool
    findings: tuple[Finding, ...]


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _month(name: str) -> int:
    return next(n for n, month in enumerate(_MONTHS, start=1) if month.startswith(name[:3]))


def _skipped(folded: str, skip_words: tuple[str, ...]) -> bool:
    for word in skip_words:
        word = word.lower()
        if word.isascii():
            if re.search(rf"(?<![a-z]){re.escape(word)}(?:s|es|d|ed|ing|ies)?(?![a-z])", folded):
                return True
        elif word in folded:
            return True
    return False


def extract_claims(sentence: str) -> list[Claim]:
    """The checkable claims of one sentence, spans in the original text."""
    folded = fold_with_map(sentence)
    text = folded.text
    claims: list[Claim] = []
    for match in _ASIN_RE.finditer(text):
        claims.append(Claim("asin", *folded.span(*match.span()), match.group().upper(), "asin"))
    if "¥" in text or "円" in text or "yen" in text or "jpy" in text:
        for match in _PRICE_RE.finditer(text):
            group = "a" if match.group("a") else "b"
            number = match.group(group)
            style = "," if "," in number else ("plain" if len(number) >= 4 else "")
            claims.append(Claim("price", *folded.span(*match.span(group)), _int(number), style))
    claims.extend(_dates(folded))
    for match in _STOCK_RE.finditer(text):
        kind = match.lastgroup or ""
        language = "en" if match.group().isascii() else "ja"
        claims.append(Claim("stock", *folded.span(*match.span()), kind, language))
    if "vol" in text or "巻" in text:
        for match in _VOLUMES_RE.finditer(text):
            group = next(name for name in "abcd" if match.group(name))
            claims.append(
                Claim("volumes", *folded.span(*match.span(group)), int(match.group(group)), "")
            )
    return claims


def _dates(folded: Folded) -> list[Claim]:
    claims = []
    for match in _DATE_RE.finditer(folded.text):
        groups = match.groupdict()
        if groups["iso"]:
            style, value = "iso", _date(groups["y1"], groups["m1"], groups["d1"])
        elif groups["slash"]:
            style, value = "slash", _date(groups["y2"], groups["m2"], groups["d2"])
        elif groups["ja"]:
            style, value = "ja", _date(groups["y3"], groups["m3"], groups["d3"])
        elif groups["mdy"]:
            style, value = "mdy", _date(groups["y4"], str(_month(groups["mon"])), groups["d4"])
        else:
            style, value = "dmy", _date(groups["y5"], str(_month(groups["mon2"])), groups["d5"])
        if value is not None:
            claims.append(Claim("date", *folded.span(*match.span()), value, style))
    return claims


def render_value(claim: Claim, value: Value) -> str:
    """``value`` written the way ``claim`` was."""
    if isinstance(value, date):
        if claim.style == "iso":
            return value.isoformat()
        if claim.style == "slash":
            return f"{value.year}/{value.month:02d}/{value.day:02d}"
        if claim.style == "ja":
            return f"{value.year}年{value.month}月{value.day}日"
        month = _MONTHS[value.month - 1].capitalize()
        if claim.style == "mdy":
            return f"{month} {value.day}, {value.year}"
        return f"{value.day} {month} {value.year}"
    if claim.kind == "stock":
        return _STOCK_PHRASES[claim.style][str(value)]
    if claim.kind == "price" and isinstance(value, int):
        return str(value) if claim.style == "plain" else f"{value:,}"
    return str(value)


@dataclass(frozen=True)
class _Mentions:
    items: tuple[ItemFacts, ...]
    series: tuple[SeriesFacts, ...]
    orders: tuple[OrderFacts, ...]


def _mentions(sentence: str, facts: TurnFacts, source: FactSource, asins: list[str]) -> _Mentions:
    squeezed = compact(sentence)
    found: dict[str, ItemFacts] = {}
    for title, item in facts.item_titles:
        position = squeezed.find(title)
        while position >= 0:
            after = position + len(title)
            if after >= len(squeezed) or not squeezed[after].isdigit():
                found[item.asin] = item
                break
            position = squeezed.find(title, position + 1)
    for asin in asins:
        named = source.item(asin)
        if named is not None:
            found[asin] = named
    items = list(found.values())
    if len(items) > 1:
        folded = sentence.lower()
        by_format = [
            item
            for item in items
            if (words := _FORMAT_WORDS.get(item.format)) is not None and words.search(folded)
        ]
        items = by_format or items
    series = {named.series_id: named for title, named in facts.series_titles if title in squeezed}
    for item in items:
        for facts_of in facts.series:
            if facts_of.series_id == item.series_id:
                series[facts_of.series_id] = facts_of
    orders = tuple(order for order in facts.orders if order.order_id.lower() in sentence.lower())
    return _Mentions(tuple(items), tuple(series.values()), orders)


def _right_values(claim: Claim, facts: TurnFacts, mentions: _Mentions, folded: str) -> set[Value]:
    """The values the sentence's products agree the claim should have (several: ambiguous)."""
    items = mentions.items or facts.items
    if claim.kind == "price":
        if mentions.items:
            return {item.price_jpy for item in mentions.items}
        if mentions.orders and _TOTAL_RE.search(folded):
            return {order.total_jpy for order in mentions.orders}
        if mentions.series and _FROM_RE.search(folded):
            return {s.lowest_price_jpy for s in mentions.series if s.lowest_price_jpy is not None}
        if facts.items:
            return {item.price_jpy for item in facts.items}
        if facts.orders and _TOTAL_RE.search(folded):
            return {order.total_jpy for order in facts.orders}
        if facts.series and _FROM_RE.search(folded):
            return {s.lowest_price_jpy for s in facts.series if s.lowest_price_jpy is not None}
        return set()
    if claim.kind == "date":
        return {item.release_date for item in items}
    if claim.kind == "stock":
        return {item.availability for item in items}
    if claim.kind == "volumes":
        return {series.volume_count for series in (mentions.series or facts.series)}
    return set()


def _holds(claim: Claim, facts: TurnFacts, mentions: _Mentions) -> bool:
    if claim.kind == "price":
        return claim.value in facts.prices or any(
            item.price_jpy == claim.value for item in mentions.items
        )
    if claim.kind == "date":
        return claim.value in facts.dates or any(
            item.release_date == claim.value for item in mentions.items
        )
    if claim.kind == "stock":
        true_of = _STOCK_TRUE_OF[str(claim.value)]
        availabilities = facts.availabilities | {item.availability for item in mentions.items}
        return bool(true_of & availabilities)
    if claim.kind == "volumes":
        return claim.value in facts.volume_counts or any(
            series.volume_count == claim.value for series in mentions.series
        )
    return True


def _about_products(sentence: str, folded: str, claims: list[Claim]) -> set[ClaimKind]:
    """The kinds of claim an unnamed sentence makes about the turn's products."""
    kinds = {claim.kind for claim in claims}
    if _REFERENT_RE.search(folded):
        return kinds
    rest = []
    kept_from = 0
    for claim in sorted(claims, key=lambda one: one.start):
        rest.append(sentence[kept_from : max(kept_from, claim.start)])
        kept_from = max(kept_from, claim.end)
    rest.append(sentence[kept_from:])
    if len(_FILLER_RE.sub("", fold("".join(rest)))) <= 4:
        return kinds  # nothing but the claim: 「在庫切れです。」
    return {kind for kind in kinds if (about := _ABOUT_RE.get(kind)) and about.search(folded)}


def _negated(claim: Claim, sentence: str) -> bool:
    if claim.kind != "stock":
        return False
    before = sentence[max(0, claim.start - 30) : claim.start].lower()
    return bool(
        _NEGATION_BEFORE_RE.search(before) or _NEGATION_AFTER_RE.match(sentence[claim.end :])
    )


def ground_sentence(
    sentence: str,
    facts: TurnFacts | None,
    source: FactSource,
    skip_words: tuple[str, ...] = (),
) -> GroundedSentence:
    """``sentence`` checked: unchanged, corrected, or to be removed."""
    claims = extract_claims(sentence)
    if not claims:
        return GroundedSentence(sentence, False, ())
    asins = [str(claim.value) for claim in claims if claim.kind == "asin"]
    unknown = [asin for asin in asins if source.item(asin) is None]
    if unknown:
        return GroundedSentence(
            sentence, True, (Finding("grounding", "correct", "sentence removed: unknown asin"),)
        )
    if not facts:
        return GroundedSentence(sentence, False, ())
    mentions = _mentions(sentence, facts, source, asins)
    folded = sentence.lower()
    text = fold_with_map(sentence).text
    named = bool(mentions.items or mentions.orders or mentions.series)
    # A sentence about store policy (shipping, points) quotes amounts and dates that
    # are no product's, unless it names one of the turn's products or orders.
    policy = not named and _skipped(text, skip_words)
    about = {claim.kind for claim in claims} if named else _about_products(sentence, text, claims)
    corrections: list[tuple[int, int, str]] = []
    findings: list[Finding] = []
    for claim in claims:
        if claim.kind == "asin" or (policy and claim.kind in ("price", "date")):
            continue
        if claim.kind not in about:
            continue
        if _negated(claim, sentence):
            continue
        if _holds(claim, facts, mentions):
            continue
        right = _right_values(claim, facts, mentions, folded)
        if len(right) != 1:
            return GroundedSentence(
                sentence,
                True,
                (Finding("grounding", "correct", f"sentence removed: unsupported {claim.kind}"),),
            )
        [value] = right
        corrections.append((claim.start, claim.end, render_value(claim, value)))
        findings.append(Finding("grounding", "correct", f"{claim.kind} corrected"))
    if not corrections:
        return GroundedSentence(sentence, False, ())
    return GroundedSentence(replace_spans(sentence, corrections), False, tuple(findings))
