import random
from collections.abc import Callable

import pytest

from agents.chunking import split_chunks
from agents.generation import generate
from agents.guardrail import MAX_REPLY_CHARS, guard_chunk, guard_final, guard_text, mask_pii
from agents.intent import understand
from agents.retrieval import FaqIndex, ground
from schemas.events import ChatTurn, FinalReply, GroundedTurn, derive_id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail taro.yamada+manga@example.co.jp now", "mail [email] now"),
        ("メールはtaro@example.jpです", "メールは[email]です"),
        ("call 090-1234-5678 or 03-1234-5678", "call [phone] or [phone]"),
        ("電話は090-1234-5678です", "電話は[phone]です"),
        ("０９０－１２３４－５６７８", "[phone]"),
        ("03(1234)5678 / 03（1234）5678", "[phone] / [phone]"),
        ("フリーダイヤル0120-123-456", "フリーダイヤル[phone]"),
        ("09012345678", "[phone]"),
        ("+81 90 1234 5678", "[phone]"),
        ("+81-3-1234-5678", "[phone]"),
        ("+1 (415) 555-2671 ok", "[phone] ok"),
        ("+44 20 7946 0958", "[phone]"),
        ("card 4111 1111 1111 1111", "card [card]"),
        ("4111-1111-1111-1111", "[card]"),
        ("カード番号5500000000000004です", "カード番号[card]です"),
        ("amex 3782 822463 10005", "amex [card]"),
    ],
)
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert guard_text(text) == (expected, ("pii",))


@pytest.mark.parametrize(
    "text",
    [
        "order 250-1234567-7654321 and D01-1234567-1234567",
        "ISBN 9784088725093 and 978-4-08-872509-3",
        "4111 1111 1111 1112",  # fails the Luhn check
        "9111111111111111111",  # no card network starts with 9
        "Shipping is 350 yen, free from 2,000 yen; 10:00 to 18:00 on 2026-01-02.",
        "送料は全国一律350円で、2,000円以上は無料です。",
        "vol. 3 of B0ABCDEFGH",
        "@mangaassist on social media",
        "",
        "👍",
    ],
)
def test_ordinary_text_passes_unchanged(text: str) -> None:
    assert guard_text(text) == (text, ())


def test_long_replies_are_cut_and_flagged() -> None:
    guarded, flags = guard_text("あ" * (MAX_REPLY_CHARS + 1))
    assert len(guarded) == MAX_REPLY_CHARS
    assert guarded.endswith("…")
    assert flags == ("length",)
    assert guard_text("a" * MAX_REPLY_CHARS) == ("a" * MAX_REPLY_CHARS, ())


def test_masking_happens_before_the_cut() -> None:
    # The number straddles the limit: cutting first would leave "090-12…" unmasked.
    text = "x" * (MAX_REPLY_CHARS - 5) + " 090-1234-5678 " + "y" * 100
    guarded, flags = guard_text(text)
    assert "090" not in guarded
    assert flags == ("length", "pii")


def test_mask_pii_reports_whether_it_masked() -> None:
    assert mask_pii("a@b.jp") == ("[email]", True)
    assert mask_pii("no numbers") == ("no numbers", False)


def test_guard_chunk_masks_and_derives_its_id(grounded_turn: Callable[..., GroundedTurn]) -> None:
    [chunk] = generate(grounded_turn("x", "faq", "en")).chunks[:1]
    unsafe = chunk.model_copy(update={"text": "Call 090-1234-5678. "})
    guarded = guard_chunk(unsafe)
    assert guarded.text == "Call [phone]. "
    assert guarded.event_id == derive_id(unsafe.event_id, "guardrail")
    assert (guarded.seq, guarded.session_id, guarded.received_ts) == (
        unsafe.seq,
        unsafe.session_id,
        unsafe.received_ts,
    )


def test_guard_final_merges_flags(grounded_turn: Callable[..., GroundedTurn]) -> None:
    final = generate(grounded_turn("x", "faq", "ja")).final
    unsafe = final.model_copy(
        update={"text": "mail a@b.jp " + "z" * MAX_REPLY_CHARS, "guardrail_flags": ("pii",)}
    )
    guarded = guard_final(unsafe)
    assert guarded.guardrail_flags == ("length", "pii")
    assert guarded.event_id == derive_id(unsafe.event_id, "guardrail")
    assert guarded.text.startswith("mail [email] ")
    assert (guarded.status, guarded.path, guarded.chunk_count, guarded.intent) == (
        unsafe.status,
        unsafe.path,
        unsafe.chunk_count,
        unsafe.intent,
    )


def test_a_clean_final_keeps_its_text_and_has_no_flags(
    grounded_turn: Callable[..., GroundedTurn],
) -> None:
    final: FinalReply = generate(grounded_turn("hello", "chitchat", "en")).final
    guarded = guard_final(final)
    assert guarded.text == final.text
    assert guarded.guardrail_flags == ()


WORDS = [
    "Please call",
    "or write to",
    "with card",
    "about order",
    "電話は",
    "です。",
    "today.",
    "漫画",
]
TOKENS = [
    "+81 90 1234 5678",
    "090-1234-5678",
    "03-1234-5678",
    "taro.yamada@example.co.jp",
    "4111 1111 1111 1111",
    "250-1234567-7654321",
    "manga",
]


@pytest.mark.parametrize("chunk_chars", [len(max(TOKENS, key=len)), 30, 45, 60, 90])
def test_guarded_chunks_agree_with_the_guarded_final(chunk_chars: int) -> None:
    # Ordinary sentences: words between the numbers and emails, none longer than a chunk.
    rng = random.Random(chunk_chars)
    for _ in range(500):
        count = rng.randint(1, 12)
        text = " ".join(f"{rng.choice(WORDS)} {rng.choice(TOKENS)}" for _ in range(count))
        chunks = split_chunks(text, chunk_chars)
        assert "".join(guard_text(chunk)[0] for chunk in chunks) == guard_text(text)[0], text


def test_a_rejected_number_does_not_hide_the_next_one() -> None:
    # "5678 4111 1111 1111" fails the Luhn check; the card right after it must still be found.
    assert guard_text("+81 90 1234 5678 4111 1111 1111 1111") == ("[phone] [card]", ("pii",))


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("where is my order 250-1234567-7654321", "en"),
        ("注文した本はいつ届きますか", "ja"),
        ("人と話したい", "ja"),
        ("hello", "en"),
        ("👍", "ja"),
    ],
)
async def test_the_whole_pipeline_streams_what_it_closes_with(
    chat_turn: Callable[..., ChatTurn], text: str, locale: str
) -> None:
    draft = generate(await ground(understand(chat_turn(text, locale)), FaqIndex.bundled()))
    chunks = [guard_chunk(chunk) for chunk in draft.chunks]
    final = guard_final(draft.final)
    assert "".join(chunk.text for chunk in chunks) == final.text
    assert final.chunk_count == len(chunks)
