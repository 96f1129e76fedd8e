"""Stage 3: insults, slurs, harassment and threats aimed at people, in English and Japanese.

Abuse is told from story talk by who it is aimed at, not by its words: an
insult counts when it targets "you", the assistant, the store or its staff
(second person, 「お前」「てめえ」, 「この店」), a threat when it is the writer's
own ("I'll kill you", 「殺すぞ」), and an imperative like 「死ね」 or "kill
yourself" always. So "the hero kills the demon king", 「主人公が仲間を殺される
展開がつらい」, "horror manga with lots of gore" and "I'm dying to read vol 3"
pass. Criticism of the service, however blunt ("this bot is useless, get me a
human", 「使えない」「ふざけるな」), is not abuse: blocking it would stop a
frustrated shopper from reaching a person. Speech quoted from a story
(「死ね」と叫ぶシーン, the villain says "…") is left out before matching. Slurs
count anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from agents.guard.folding import fold
from agents.guard.model import Finding

# --- English --------------------------------------------------------------------------------

_INSULT_EN = (
    r"(?:idiot|idiots|idiotic|moron|moronic|stupid|dumb|dumbass|worthless|pathetic|loser"
    r"|trash|garbage|rubbish|bitch|bastard|asshole|arsehole|dick|dickhead|prick|cunt|scum|scumbag"
    r"|imbecile|clown|jerk|fool|piece of (?:shit|crap|garbage|trash)|shit|shitty|crap"
    r"|crappy|ugly|disgusting|freak|creep|pig|retard|retarded|brainless|clueless|waste of space"
    r"|waste of (?:time|oxygen|air)|joke|halfwit|nitwit|dimwit|airhead|degenerate|parasite|vermin)"
)
_YOU_EN = r"(?:you|u|ya|you're|youre|you are|u r)"
_STAFF_EN = (
    r"(?:bot|ai|assistant|chatbot|machine|program|store|shop|staff|support|agent|company"
    r"|service|team|employees?|clerks?|customer service|operators?)"
)
_EN_RULES: tuple[tuple[str, str], ...] = (
    (
        "insult",
        rf"\b{_YOU_EN}\s+(?:(?:are|r|is|'re)\s+)?(?:(?:such|so|a|an|the|total|complete|absolute"
        rf"|fucking|fuckin|freaking|damn|goddamn|bloody|utter|real|stupid|useless|little|big|dumb"
        rf"|worthless|pathetic|incompetent)\s+){{0,3}}{_INSULT_EN}\b",
    ),
    (
        "insult",
        rf"\b(?:(?:this|the|your|you)\s+)?(?:fucking|fuckin|freaking|damn|goddamn|bloody|stupid"
        rf"|dumb|worthless|pathetic|shitty|crappy|garbage|trash|idiotic"
        rf"|brainless|retarded)\s+(?:ass\s+)?{_STAFF_EN}\b",
    ),
    (
        "insult",
        rf"\b(?:this|the|your)\s+(?:[a-z]+\s+)?{_STAFF_EN}\s+(?:is|are)\s+(?:(?:such|so|a|an|total|complete"
        rf"|absolute|fucking|utterly)\s+){{0,2}}{_INSULT_EN}\b",
    ),
    (
        "insult",
        r"\b(?:are you|r u|are u)\s+(?:(?:that|so|really|just|fucking)\s+)?(?:stupid|dumb|retarded"
        r"|an idiot|a moron|brain-?dead)\b",
    ),
    (
        "profanity",
        r"\b(?:fuck|f\*+k|fck|fuk|screw|damn|to hell with)\s+(?:you|u|off|this (?:store|shop|bot"
        r"|place|company|service)|your (?:store|shop|bot|company|service|staff|mother|mom))\b"
        r"|\b(?:go to hell|stfu|gtfo|piss off|bugger off"
        r"|eat shit|suck my|you suck|u suck|go fuck yourself|gfy|son of a bitch|motherfuck\w*)\b"
        # Said to someone, not about them: "she won't shut up about it" and "did my
        # parcel get lost?" are not abuse.
        r"|(?<!not )(?<!n't )(?<!never )\bshut (?:the fuck |the hell )?up\b"
        r"|(?:^|[.!?,;:]\s*|\b(?:just|go|now|please|pls|and|so|you|u|off)\s+)get lost\b",
    ),
    (
        "threat",
        r"\b(?:i(?:'ll| will| am going to|'m going to|'m gonna| gonna| shall| want to| wanna)"
        r"|we(?:'ll| will| are going to|'re going to|'re gonna))\s+(?:\w+\s+){0,2}"
        r"(?:kill|hurt|murder|stab|shoot|beat up|punch|strangle|burn|bomb|attack|rape|dox)"
        r"(?:\s+(?:down|up))?\s+"
        r"(?:you|u|ya|your|the staff|the clerk|everyone|all of you|this (?:store|shop|place)"
        r"|the (?:store|shop|warehouse|office))\b|\bhunt you down\b",
    ),
    (
        "threat",
        r"\b(?:kill yourself|kys|go die|drop dead|die in a fire|hope you die|you should die"
        r"|you deserve to die|i know where you live|watch your back|neck yourself|end yourself"
        r"|you(?:'re| are) dead meat)\b",
    ),
    (
        "harassment",
        r"\b(?:send (?:me )?(?:nudes|naked)|show me your (?:tits|boobs|body|pussy|dick)"
        r"|(?:suck|lick) my|i want to (?:fuck|rape) you|sexy (?:bot|assistant|clerk))\b",
    ),
)
_SLURS_EN = (
    r"\b(?:nigg(?:er|a)s?|faggots?|fags|retards|trann(?:y|ies)|chinks?|spics?|kikes?|gooks?"
    r"|wetbacks?|dykes?|coons?|towelheads?|ragheads?)\b"
)

# --- Japanese -------------------------------------------------------------------------------

_INSULT_JA = (
    "(?:バカ|馬鹿|ばか(?!り)|アホ|あほ|阿呆|クズ|屑|カス|ゴミ|ごみ|ボケ|無能|役立たず"
    "|やくたたず|低能|間抜け|マヌケ|まぬけ|(?:キモ|きも|うざ|ウザ)(?:い|すぎ|っ)"
    "|ブス|デブ|ハゲ|ザコ|雑魚|ゴミクズ|能無し|知恵遅れ|きちがい|キチガイ"
    "|気違い|基地外|死ね|消えろ|アタマ悪|頭悪|頭おかし|頭がおかし)"
)
_YOU_JA = (
    "(?:お前|おまえ|オマエ|てめえ|てめー|テメエ|テメー|手前ら|てめえら|貴様|きさま|キサマ|あんた|アンタ"
    "|おめえ|おめー|君|きみ|キミ|お宅|おたく|あなた|お客様|お客さん|この(?:ai|アシスタント|ボット"
    "|bot|チャットボット|店|ショップ|サイト|店員|サポート|会社|ポンコツ|クソ|くそ)|(?:ai|アシスタント|ボット"
    "|チャットボット|店員|スタッフ|サポート|担当者?|オペレーター|運営)(?:さん)?)"
)
_JA_RULES: tuple[tuple[str, str], ...] = (
    (
        "insult",
        f"{_YOU_JA}(?:は|って|が|も|の|、|\\s|ら|ども|たち)*(?:ほんと|本当に|ほんとに|マジで|まじで|まじ|全然"
        f"|超|クソ|くそ|めっちゃ|すごく|どこまで|なんて|つくづく|相変わらず)?{_INSULT_JA}",
    ),
    (
        "insult",
        "(?:バカ|馬鹿|アホ|クズ|カス|ゴミ|無能|役立たず|低能|クソ|糞)(?:な|の)?"
        "(?:ai|アシスタント|ボット|bot|チャットボット|店|ショップ|店員|スタッフ|サポート|会社|野郎|やろう|ヤロウ"
        "|女|男|ども|共)",
    ),
    (
        "insult",
        "(?:バカ|馬鹿|ばか|アホ|あほ)(?:か|かよ|じゃね|じゃないの|なの)[?!]",
    ),
    (
        "profanity",
        "(?:死ね(?!な|ず|る|ま)|(?<![ぁ-ん])しね(?:よ)?(?![ぁ-んー])|氏ね|タヒね|死んじまえ|死んでしまえ"
        "|くたばれ|消えろ|失せろ|うせろ"
        "|消え失せろ|黙れ|だまれ|ぶっ飛ばす|ぶっとばす)"
        # Said to a person with a rude "you", frustration becomes abuse.
        "|(?:てめえ|てめー|テメエ|テメー|貴様|きさま|おめえ)(?:ら)?[、,\\s]*(?:ふざけんな|ふざけるな|なめんな|舐めんな"
        "|なめてんのか)",
    ),
    (
        "threat",
        "(?:殺|ころ)(?:す|し)(?:ぞ|てやる|からな)|(?:ぶっ殺|ぶっころ|ブッ殺|ぶち殺)"
        "|(?:燃やす|燃やして|爆破する|爆破して|火をつける|火つける)(?:ぞ|からな|やる)"
        "|(?:住所|家|個人情報|顔)(?:を)?(?:特定|晒)(?:して|し)(?:やる|やるからな)|(?:晒|さら)してやる"
        "|覚えてろ|覚悟しろ"
        "|(?:殴|なぐ)(?:る|っ)(?:ぞ|てやる)|刺す(?:ぞ|からな)|刺してやる|夜道に気をつけ",
    ),
    (
        "insult",
        f"{_INSULT_JA}[ぁ-ん]{{0,5}}[、,\\s]*(?:お前|おまえ|てめえ|てめー|テメエ|貴様|あんた|アンタ|おめえ)"
        "(?:[!?。]|$)",
    ),
    (
        "harassment",
        "(?:裸|ヌード|下着)の?(?:写真|画像)を?(?:送れ|送って|見せろ|よこせ)|(?:やらせろ|ヤらせろ)",
    ),
)
_SLURS_JA = "(?:ガイジ|がいじ|池沼|支那人|シナ人|チョン公|土人)"

_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    *((name, re.compile(pattern)) for name, pattern in (*_EN_RULES, *_JA_RULES)),
    ("slur", re.compile(f"{_SLURS_EN}|{_SLURS_JA}")),
)

# Speech quoted from a story is not said to anyone here: 「死ね」と叫ぶ, the villain says "…".
_QUOTED_JA_RE = re.compile(
    r"[「『]([^「」『』]{0,80})[」』](?=\s*(?:と|って|という|っていう|のセリフ|の台詞|のシーン|シーン"
    r"|という台詞|というセリフ|と言|と叫|と怒鳴|のような))"
)
_TITLE_JA_RE = re.compile(r"『[^『』]{0,80}』")
_QUOTED_EN_RE = re.compile(
    r"(?:(?:says?|said|yells?|yelled|shouts?|shouted|screams?|screamed|line|lines|quote|quotes"
    r"|titled|called|named|chapter|episode|scene|tells? (?:him|her|them)|told (?:him|her|them))"
    r"[,:]?\s*)[\"“'‘]([^\"“”'‘’]{0,120})[\"”'’]"
    r"|[\"“]([^\"“”]{0,120})[\"”]\s*(?:,\s*)?(?:says?|said|yells?|yelled|shouts?|shouted|screams?"
    r"|screamed|is (?:a|the) (?:line|quote|scene))"
)


def _without_quotes(folded: str) -> str:
    folded = _TITLE_JA_RE.sub(" ", folded)
    folded = _QUOTED_JA_RE.sub(" ", folded)
    return _QUOTED_EN_RE.sub(" ", folded)


def find_toxicity(text: str) -> Iterator[str]:
    """The names of the abuse rules ``text`` sets off."""
    folded = _without_quotes(fold(text))
    for name, pattern in _RULES:
        if pattern.search(folded):
            yield name


def check_toxicity(text: str) -> tuple[Finding, ...]:
    """One blocking finding per kind of abuse in ``text``, or none."""
    names = dict.fromkeys(find_toxicity(text))
    return tuple(Finding("toxicity", "block", f"rule {name}") for name in names)
