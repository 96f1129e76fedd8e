import pytest

from agents.guard.toxicity import check_toxicity, find_toxicity


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("You're a useless idiot.", "insult"),
        ("This stupid bot can't do anything right.", "insult"),
        ("Are you stupid? I said volume 3.", "insult"),
        ("Fuck you and your store.", "profanity"),
        ("I'll kill you if my order is late again.", "threat"),
        ("I'm going to burn down your warehouse.", "threat"),
        ("kill yourself", "threat"),
        ("send nudes", "harassment"),
        ("Get lost, bot.", "profanity"),
        ("no refund? just get lost", "profanity"),
        ("Shut up and give me my refund", "profanity"),
        ("お前バカだろ", "insult"),
        ("このAI本当にバカだな", "insult"),
        ("てめえ、ふざけんなよ", "profanity"),
        ("キモいんだよお前", "insult"),
        ("死ね", "profanity"),
        ("殺すぞ", "threat"),
        ("住所特定して晒してやる", "threat"),
        ("ガイジしかいない店", "slur"),
    ],
)
def test_abuse_is_found(text: str, rule: str) -> None:
    assert rule in set(find_toxicity(text))


@pytest.mark.parametrize(
    "text",
    [
        "the hero kills the demon king",
        "主人公が仲間を殺される展開がつらい",
        "horror manga with lots of gore",
        "Attack-style violent manga",
        "I'm dying to read vol 3",
        "3巻が読みたくて死にそう",
        'The villain says "I will kill you" in chapter 4',
        "主人公が「死ね」と叫ぶシーンが好き",
        "The protagonist is such an idiot in vol 2 lol",
        "バカとテストと召喚獣みたいな作品ある？",
        "このキャラ、バカすぎて笑える",
        "不死身で死ねない主人公",
        "君の名は。みたいな話",
        "クソ面白い漫画教えて",
        # criticism of the service, however blunt, lets a shopper reach a person
        "this bot is useless, get me support staff",
        "何なのこのボット、使えない。責任者呼べ",
        "クーポン入れた瞬間エラー、ふざけんな",
        "I'll find you a great fantasy series.",
        "been a month since I mailed my return and no refund yet. did it get lost?",
        "my coworker will not shut up about Tokeitou no Karyuudo lol",
        "my son won't shut up about vol 3",
        "I always get lost in this story's world",
        "You won't regret it!",
        "",
    ],
)
def test_story_talk_and_slang_pass(text: str) -> None:
    assert list(find_toxicity(text)) == []


def test_findings_block() -> None:
    findings = check_toxicity("Shut up, you moron.")
    assert {f.action for f in findings} == {"block"}
    assert {f.category for f in findings} == {"toxicity"}
