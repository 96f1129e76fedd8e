"""Settings of the guard: which stages run on which direction, and how they are tuned."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from agents.guard.model import Direction

PiiKind = Literal["email", "phone", "card", "mynumber", "address", "secret"]
PII_KINDS: tuple[PiiKind, ...] = ("email", "phone", "card", "mynumber", "address", "secret")
BOTH: tuple[Direction, ...] = ("input", "output")
OUTPUT: tuple[Direction, ...] = ("output",)

DEFAULT_COMPETITORS: tuple[str, ...] = (
    "Amazon",
    "アマゾン",
    "Rakuten",
    "楽天",
    "Kinokuniya",
    "紀伊國屋",
    "紀伊国屋",
    "BookWalker",
    "BOOK☆WALKER",
    "ブックウォーカー",
    "honto",
    "ebookjapan",
    "eBookJapan",
    "イーブックジャパン",
    "コミックシーモア",
    "Comic Cmoa",
    "Kobo",
    "Tsutaya",
    "TSUTAYA",
    "ツタヤ",
    "Animate",
    "アニメイト",
)


class GuardSettings(BaseSettings):
    """Knobs of the six-stage guard (``agents.guard``); every stage can be switched off."""

    model_config = SettingsConfigDict(env_prefix="MANGAASSIST_GUARD_")

    enabled: bool = Field(default=True, description="Master switch: off lets everything through.")
    default_locale: Literal["ja", "en"] = Field(
        default="ja",
        description="Language of replacement messages when the text shows none (emoji, digits).",
    )

    pii_enabled: bool = Field(default=True, description="Mask personal data (stage 1).")
    pii_directions: tuple[Direction, ...] = Field(
        default=BOTH, description="Directions the PII stage checks: input, output or both."
    )
    pii_kinds: tuple[PiiKind, ...] = Field(
        default=PII_KINDS,
        description="Kinds of personal data masked: email, phone, card, mynumber, address, secret.",
    )

    injection_enabled: bool = Field(
        default=True, description="Block prompt injection and jailbreaks (stage 2)."
    )
    injection_directions: tuple[Direction, ...] = Field(
        default=BOTH,
        description="Directions checked: input for attacks, output for leaks and obeyed attacks.",
    )
    injection_decode: bool = Field(
        default=True,
        description="Also check base64, hex, URL-encoded, ROT13, reversed and leetspeak readings.",
    )
    injection_scan_chars: int = Field(
        default=8000,
        ge=100,
        description="Longest prefix of a text read by the injection stage (bounds its cost).",
    )
    system_prompt_markers: tuple[str, ...] = Field(
        default=("MANGAASSIST-SYSTEM-PROMPT", "<<MANGAASSIST_SYSTEM>>"),
        description="Canary strings of the system prompt: a reply containing one is a leak.",
    )

    toxicity_enabled: bool = Field(
        default=True, description="Block insults, slurs, harassment and threats (stage 3)."
    )
    toxicity_directions: tuple[Direction, ...] = Field(
        default=BOTH, description="Directions the toxicity stage checks."
    )

    competitor_enabled: bool = Field(
        default=True, description="Keep other stores out of replies (stage 4)."
    )
    competitor_directions: tuple[Direction, ...] = Field(
        default=OUTPUT,
        description="Directions the competitor stage checks (shoppers may name any).",
    )
    competitor_names: tuple[str, ...] = Field(
        default=DEFAULT_COMPETITORS,
        description="Store names a reply must not mention; matched case- and width-insensitively.",
    )
    competitor_action: Literal["remove_sentence", "mask_name"] = Field(
        default="remove_sentence",
        description="remove_sentence replaces the sentence with a notice; mask_name says "
        '"another store" instead.',
    )

    grounding_enabled: bool = Field(
        default=True,
        description="Check prices, dates, ASINs, stock and volume counts against the store "
        "(stage 5).",
    )
    grounding_directions: tuple[Direction, ...] = Field(
        default=OUTPUT, description="Directions the grounding stage checks."
    )
    grounding_skip_words: tuple[str, ...] = Field(
        default=(
            "送料", "手数料", "ポイント", "クーポン", "割引", "以上", "無料", "届", "到着", "配送",
            "まで", "ラッピング", "1点につき", "返金",
            "shipping", "delivery", "deliver", "arrive", "fee", "points", "coupon", "discount",
            "free", "over", "or more", "until", "gift", "wrapping", "surcharge", "per item",
            "refund",
        ),
        description="A sentence with one of these words that names none of the turn's products "
        "is about store policy: its prices and dates are not checked.",
    )  # fmt: skip

    length_enabled: bool = Field(default=True, description="Cap the length of texts (stage 6).")
    length_directions: tuple[Direction, ...] = Field(
        default=OUTPUT, description="Directions whose length is capped."
    )
    max_chars: int = Field(
        default=2000, ge=20, description="Longest text let through; cut at a sentence end."
    )

    format_enabled: bool = Field(
        default=True,
        description="Strip HTML, foreign links, control characters and long repeats (stage 6).",
    )
    format_directions: tuple[Direction, ...] = Field(
        default=OUTPUT, description="Directions the format stage cleans."
    )
    allowed_link_domains: tuple[str, ...] = Field(
        default=("mangaassist.example",),
        description="Domains (and their subdomains) links and images may point to.",
    )
    max_repeat: int = Field(
        default=4,
        ge=2,
        description="Longest run of one repeated character (not an ASCII letter or digit); "
        "longer runs are shortened.",
    )

    stream_max_pending_chars: int = Field(
        default=400,
        ge=40,
        description="Longest unfinished sentence a stream holds back before releasing part of it.",
    )
