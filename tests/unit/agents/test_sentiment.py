"""The bilingual sentiment scorer: angry shoppers, and manga talk that only sounds sad."""

import pytest

from agents.sentiment import STRONGLY_NEGATIVE, analyse, is_strongly_negative, sentiment_score

ANGRY = [
    # English
    "This is ridiculous. My order is two weeks late and your bot is useless!",
    "I'm so angry, worst service ever!!!",
    "I hate this store, the delivery was awful",
    "Volume 3 arrived damaged, this is terrible!",
    "WTF is wrong with you people",
    "Absolutely unacceptable. I want my money back 😡",
    # Japanese
    "もう最悪。注文して2週間も届かないし、対応もひどすぎる！",
    "ふざけるな、金返せ！",
    "使えない。責任者呼べ",
    "本当に最悪です",
    "二度と買わない (╬ಠ益ಠ)",
    "いい加減にしてください。何度聞いても同じ答えでイライラします",
    "ヽ(#ﾟДﾟ)ﾉ 届いた本が破れてた",
]

# Plot talk that only sounds unhappy, and everyday shopping questions.
NOT_ANGRY = [
    "the ending made me cry",
    "The ending made me cry 😭😭😭",
    "I cried so much, it was so sad",
    "This manga destroyed me, the ending was brutal",
    "The villain is terrible and evil, I hate him!",
    "I hate how the author killed off my favorite character, so sad!!",
    "What's a manga that will make me cry?",
    "My order hasn't arrived yet",
    "I'm a bit disappointed",
    "この漫画、本当に泣ける",
    "泣ける漫画を教えて",
    "最終回泣いた😭😭 最高すぎる",
    "主人公が死ぬ展開、つらすぎて無理…",
    "この作品の結末は最悪だった",
    "怒涛の展開で最高でした",
    "悪役が怖すぎる（T_T）",
    "注文した本がまだ届かないのですが",
    "ちょっと残念です",
    "ワンピースの最新刊はいつ発売ですか？",
    "担当者と話したい",
]


@pytest.mark.parametrize("text", ANGRY)
def test_angry_shoppers_are_strongly_negative(text: str) -> None:
    sentiment = analyse(text)
    assert sentiment.strongly_negative, (sentiment.score, sentiment.hits)


@pytest.mark.parametrize("text", NOT_ANGRY)
def test_story_talk_and_plain_questions_are_not(text: str) -> None:
    sentiment = analyse(text)
    assert not sentiment.strongly_negative, (sentiment.score, sentiment.hits)


@pytest.mark.parametrize(
    "text", ["the ending made me cry", "この漫画、本当に泣ける", "泣ける漫画を教えて"]
)
def test_crying_over_a_story_is_no_complaint_at_all(text: str) -> None:
    assert sentiment_score(text) >= 0


@pytest.mark.parametrize(
    "text",
    ["Thanks, that was really helpful!", "ありがとうございます！助かりました(^^)", "クソ面白い"],
)
def test_thanks_and_praise_are_positive(text: str) -> None:
    assert sentiment_score(text) > 0.5


@pytest.mark.parametrize(
    ("negated", "plain"),
    [
        ("not helpful at all", "helpful"),
        ("not bad", "bad"),
        ("面白くない", "面白い"),
        ("悪くない", "悪い"),
        ("怒っていません", "怒っています"),
        ("最悪じゃない", "最悪"),
    ],
)
def test_negation_turns_a_word_around(negated: str, plain: str) -> None:
    assert sentiment_score(negated) * sentiment_score(plain) < 0


@pytest.mark.parametrize("question", ["最悪じゃない？", "ひどくないですか？"])
def test_a_rhetorical_question_is_no_negation(question: str) -> None:
    assert sentiment_score(question) < 0


@pytest.mark.parametrize(
    ("strong", "plain"),
    [
        ("so angry", "angry"),
        ("absolutely terrible", "terrible"),
        ("TERRIBLE service", "terrible service"),
        ("terrible!!!", "terrible"),
        ("本当に最悪", "最悪"),
        ("最悪！", "最悪"),
    ],
)
def test_intensifiers_caps_and_exclamations_strengthen(strong: str, plain: str) -> None:
    assert sentiment_score(strong) < sentiment_score(plain) < 0


@pytest.mark.parametrize(
    ("weak", "plain"), [("a bit disappointed", "disappointed"), ("ちょっと残念", "残念")]
)
def test_downtoners_weaken(weak: str, plain: str) -> None:
    assert sentiment_score(plain) < sentiment_score(weak) < 0


def test_after_but_counts_more() -> None:
    assert sentiment_score("the art is great but the shipping was awful") < 0
    assert sentiment_score("the shipping was awful but the art is great") > 0
    assert sentiment_score("絵は綺麗だけど、配送が遅すぎる！") < 0


@pytest.mark.parametrize(
    ("text", "sign"),
    [("😡", -1), ("🤬🤬", -1), ("(｀Д´)", -1), ("(╯°□°)╯︵ ┻━┻", -1), ("(^_^)", 1), ("🥰", 1)],
)
def test_emoji_and_kaomoji_count(text: str, sign: int) -> None:
    assert sentiment_score(text) * sign > 0


def test_one_strong_word_alone_is_not_yet_strongly_negative() -> None:
    assert STRONGLY_NEGATIVE < sentiment_score("This is terrible.") < 0
    assert STRONGLY_NEGATIVE < sentiment_score("最悪") < 0
    assert is_strongly_negative(sentiment_score("最悪！"))


def test_nothing_to_score_is_neutral() -> None:
    assert analyse("") == analyse("   ") == analyse("Frieren vol. 3")
    assert sentiment_score("Frieren vol. 3") == 0.0


def test_the_score_stays_within_bounds() -> None:
    assert sentiment_score("worst! " * 50) >= -1.0
    assert sentiment_score("amazing! " * 50) <= 1.0
