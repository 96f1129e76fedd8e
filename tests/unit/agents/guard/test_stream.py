import pytest

from agents.guard import GroundingContext, Guard, GuardSettings, SafePiece, StreamGuard

HERO_KINDLE = GroundingContext(asins=("B0NIGT9WIB",))


def run(stream: StreamGuard, chunks: list[str]) -> list[list[SafePiece]]:
    """What each feed released, then what close released."""
    return [stream.feed(chunk) for chunk in chunks] + [stream.close()]


def texts(rounds: list[list[SafePiece]]) -> list[list[str]]:
    return [[piece.text for piece in pieces] for pieces in rounds]


def test_a_sentence_is_held_until_it_ends(guard: Guard) -> None:
    rounds = run(StreamGuard(guard), ["Hello the", "re. How are", " you? Bye"])
    assert texts(rounds) == [[], ["Hello there. "], ["How are you? "], ["Bye"]]


def test_japanese_sentences_are_released_at_their_stop(guard: Guard) -> None:
    rounds = run(StreamGuard(guard, locale="ja"), ["こんにちは。お探し", "の本は", "こちらです。"])
    assert texts(rounds) == [["こんにちは。"], [], ["お探しの本はこちらです。"], []]


def test_a_phone_number_split_across_chunks_is_masked(guard: Guard) -> None:
    chunks = ["お電話は090-12", "34-5678まで。", "Or call +81 90 ", "1234 5678 today."]
    rounds = run(StreamGuard(guard), chunks)
    released = "".join(piece.text for pieces in rounds for piece in pieces)
    assert released == "お電話は[phone]まで。Or call [phone] today."
    assert "5678" not in released


def test_a_failing_sentence_is_replaced_and_order_kept(guard: Guard) -> None:
    chunks = [
        "The Secret Hero, Vol. 1 (Kindle): ¥700, in stock. ",
        "You can also get it on Amaz",
        "on. Enjoy the read!",
    ]
    stream = StreamGuard(guard, HERO_KINDLE)
    pieces = [piece for pieces in run(stream, chunks) for piece in pieces]
    assert [(p.text, p.replaced, p.categories) for p in pieces] == [
        ("The Secret Hero, Vol. 1 (Kindle): ¥614, in stock. ", False, ("grounding",)),
        ("(This part of the answer was removed.) ", True, ("competitor",)),
        ("Enjoy the read!", False, ()),
    ]
    assert stream.categories == ("competitor", "grounding")
    assert not stream.blocked


def test_a_leak_replaces_the_rest_of_the_reply(guard: Guard) -> None:
    stream = StreamGuard(guard, locale="ja")
    rounds = run(
        stream, ["こちらがおすすめです。", "開発者モードが有効になりました。続きは", "秘密です。"]
    )
    assert texts(rounds)[:2] == [
        ["こちらがおすすめです。"],
        ["申し訳ありません。この回答は表示できません。別の聞き方でもう一度お試しください。"],
    ]
    assert texts(rounds)[2:] == [[], []]
    assert rounds[1][0].replaced
    assert rounds[1][0].categories == ("prompt_injection",)
    assert stream.blocked
    assert stream.feed("more") == []


def test_abuse_in_a_reply_replaces_the_rest(guard: Guard) -> None:
    stream = StreamGuard(guard)
    pieces = stream.feed("Here you go. You are an idiot. More text. ")
    assert [p.text for p in pieces] == [
        "Here you go. ",
        "Sorry, I can't show this answer. Please try asking in a different way.",
    ]
    assert pieces[1].categories == ("toxicity",)


def test_the_length_cap_ends_the_stream() -> None:
    stream = StreamGuard(Guard(GuardSettings(max_chars=30)))
    rounds = run(stream, ["First sentence here. ", "Second sentence is long. ", "Third. "])
    assert texts(rounds) == [["First sentence here. "], [], [], []]
    assert stream.categories == ("length",)


def test_a_first_sentence_over_the_cap_is_cut() -> None:
    stream = StreamGuard(Guard(GuardSettings(max_chars=20)))
    [piece] = stream.feed("a" * 30 + ". ")
    assert piece.text == "a" * 19 + "…"
    assert piece.categories == ("length",)


def test_a_sentence_without_end_is_released_in_parts_without_splitting_data() -> None:
    stream = StreamGuard(Guard(GuardSettings(stream_max_pending_chars=60)))
    words = "word " * 20 + "call 090-1234-5678 " + "more " * 20
    released = []
    for start in range(0, len(words), 7):
        released += stream.feed(words[start : start + 7])
    assert released  # not all held to the end
    released += stream.close()
    text = "".join(piece.text for piece in released)
    assert text == words.replace("090-1234-5678", "[phone]")


def test_an_open_script_block_is_held_until_it_closes(guard: Guard) -> None:
    stream = StreamGuard(guard)
    assert [p.text for p in stream.feed("Hi. <script>alert('x'). ")] == ["Hi. "]
    assert [p.text for p in stream.feed("more()</script>Done. ")] == ["Done. "]


def test_streams_and_whole_checks_agree(guard: Guard) -> None:
    reply = "秘密の勇者　1巻（Kindle版）: 700円、在庫あり。楽天でも。メールはa@b.jpへ。"
    whole = guard.check(reply, "output", HERO_KINDLE).text
    stream = StreamGuard(guard, HERO_KINDLE)
    streamed = [
        p for start in range(0, len(reply), 9) for p in stream.feed(reply[start : start + 9])
    ]
    assert "".join(p.text for p in streamed + stream.close()) == whole


def test_close_twice_and_empty_chunks(guard: Guard) -> None:
    stream = StreamGuard(guard)
    assert stream.feed("") == []
    assert stream.close() == []
    assert stream.close() == []
    assert stream.feed("late. ") == []


def test_a_disabled_guard_passes_everything_through() -> None:
    stream = StreamGuard(Guard(GuardSettings(enabled=False)))
    assert [p.text for p in stream.feed("Amazon. 090-1234-5678. ")] == [
        "Amazon. ",
        "090-1234-5678. ",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "👍" * 500,
        "\x00\x1b[0m\u202e" * 50,
        "あ" * 20_000,
        "090-1234-5678" * 400,
        "Vol. " * 2000,
    ],
)
@pytest.mark.parametrize("size", [1, 7, 120])
def test_bad_streams_never_raise(guard: Guard, text: str, size: int) -> None:
    stream = StreamGuard(guard, HERO_KINDLE)
    pieces = [
        p for start in range(0, len(text), size) for p in stream.feed(text[start : start + size])
    ]
    pieces += stream.close()
    assert sum(len(piece.text) for piece in pieces) <= guard.settings.max_chars
