"""A small bilingual sentiment scorer: is the shopper upset enough to want a person?

Rules over a lexicon, in Japanese and English, no model:

* **Lexicon**: words and phrases with a valence from -3.5 (「ふざけるな」, "furious")
  to +3.2 (「最高」, "amazing"), plus emoji and 顔文字 ((╬ಠ益ಠ), (｀Д´), (^_^)).
* **Negation** flips and damps a word (x -0.74): "not helpful", "never happy",
  「面白くない」「ひどくはない」. A rhetorical 「〜じゃないですか」「〜くない？」 is no negation.
* **Intensifiers** strengthen the next word ("so angry", "absolutely useless",
  「本当に最悪」「めっちゃ嬉しい」), downtoners weaken it ("a bit disappointed",
  「ちょっと残念」); an ALL-CAPS word in mixed text and exclamation marks add weight.
* **Contrast**: after "but" / 「けど」「でも」 a clause counts 1.5 times, before it half.
* **Story talk is not a complaint**: in a sentence about a story ("the ending",
  "the villain", 「最終回」「主人公」「展開」) and about nothing the store did (no order,
  delivery, refund, bot, 注文, 配送, 対応, ...), negative words count a quarter.
  Crying is no complaint at all: "the ending made me cry" and 「泣ける」 (moving) are
  not negative, 「泣ける」 is praise.

The sum ``s`` of a text's sentences is squashed into -1..1 by ``s / sqrt(s² + 15)``
(VADER's normalisation): one strong word alone ("terrible", 「最悪」) stays just above
:data:`STRONGLY_NEGATIVE`; with an intensifier, an exclamation or a second complaint it
goes below.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

STRONGLY_NEGATIVE = -0.65
_ALPHA = 15.0
_NEGATED = -0.74
_INTENSIFIED = 1.35
_DOWNTONED = 0.6
_CAPS = 1.3
_STORY_DAMPING = 0.25
_EXCLAMATION = 0.29
_MAX_EXCLAMATIONS = 4


@dataclass(frozen=True)
class Hit:
    """One lexicon entry found in the text, with its valence after the modifiers."""

    label: str
    valence: float


@dataclass(frozen=True)
class Sentiment:
    score: float  # -1 (furious) .. 1 (delighted)
    hits: tuple[Hit, ...]

    @property
    def strongly_negative(self) -> bool:
        return is_strongly_negative(self.score)


@dataclass(frozen=True)
class _Entry:
    pattern: re.Pattern[str]
    valence: float
    japanese: bool


def _en(words: str, valence: float) -> list[_Entry]:
    """English entries: ``words`` is "|"-separated words or phrases, matched whole."""
    entries = []
    for phrase in words.split("|"):
        body = r"\s+".join(re.escape(word) for word in phrase.split())
        entries.append(_Entry(re.compile(rf"(?<![a-z']){body}(?![a-z])"), valence, False))
    return entries


def _ja(pattern: str, valence: float) -> list[_Entry]:
    return [_Entry(re.compile(pattern), valence, True)]


_LEXICON: list[_Entry] = [
    # English: anger and complaints about the service.
    *_en("furious|livid|outraged|scam|scammed|fraud", -3.5),
    *_en("angry|pissed|pissed off|hate|hated|horrible|awful|terrible|unacceptable", -3.0),
    *_en("pathetic|incompetent|garbage|rip off|ripoff|rip-off|fed up|wtf|disgusting", -3.0),
    *_en("disgrace|disgraceful|appalling|atrocious", -3.0),
    *_en("worst", -3.2),
    *_en("useless|worthless|ridiculous|sick of|had enough|what the hell", -2.8),
    *_en("waste of time|waste of money|joke|nightmare|infuriating", -2.5),
    *_en("upset|annoyed|annoying|frustrated|frustrating|sucks|suck|stupid|bad|trash", -2.5),
    *_en("disappointed|disappointing|disappointment|let down|irritated|irritating", -2.2),
    *_en("poor|rude|lousy|unhappy|dissatisfied|broken|damaged|unhelpful", -2.0),
    *_en("doesn't work|does not work|not working|isn't working|never arrived", -2.0),
    *_en("sad|wrong|problem|problems|confusing|confused|late|missing|slow|brutal", -1.2),
    *_en("heartbreaking|depressing|scary|painful|tragic", -1.0),
    # English: praise and thanks.
    *_en("amazing|awesome|excellent|fantastic|wonderful|perfect|masterpiece|brilliant", 3.0),
    *_en("love|loved|loving|best|great|outstanding|superb|incredible|beautiful", 3.0),
    *_en("happy|glad|delighted|excited|exciting|enjoyed|enjoy|fun|favorite|favourite", 2.4),
    *_en("thanks|thank you|thank|helpful|touching|lovely|cute|recommend|pleased", 2.0),
    *_en("good|nice|cool|fine|moving|interesting|funny|wow|satisfied|no problem", 1.8),
    # Japanese: anger and complaints. Negation is read after the match.
    *_ja(r"ふざけ(?:る|ん|て|た|ない)|金(?:を)?返せ|責任者(?:を)?(?:出せ|呼べ|出して)", -3.5),
    *_ja(r"詐欺|不愉快|許せ(?:ない|ん|ねえ)|腹(?:が)?立(?:つ|った|ち|たしい)|頭に(?:く|き)", -3.0),
    *_ja(
        r"ムカ(?:つ|ツ|ムカ)|むか(?:つ|むか)|話にならな|いい加減にし|二度と(?:使|買|利用|頼)", -3.0
    ),
    *_ja(r"最悪", -3.2),
    *_ja(r"最低(?!限|価格|料金|でも|注文)|不快", -3.0),
    *_ja(r"使えな|使えね|使えん|役に立たな|役立たず|ありえな|あり得な|ありえん|うんざり", -2.8),
    *_ja(
        r"(?:ひど|酷)(?:い|かった|く|すぎ|さ)|クソ(?:が|すぎ|みたい|だ|対応)|失望|呆れ|あきれ", -2.5
    ),
    *_ja(
        r"怒(?!涛|濤)(?:って|り|る|った|られ|鳴)?|キレ(?:そう|た|る|てる)|イライラ|いらいら", -2.5
    ),
    *_ja(
        r"期待(?:外れ|はずれ)|がっかり|ガッカリ|不満|不信|悪(?:い|かった|く|すぎ)|遅すぎ|(?<!機)嫌(?:い|だ|です|な)",
        -2.2,
    ),
    *_ja(r"ダメ(?!ージ)|だめ|駄目|困(?:って|る|った|り)|面倒|めんど|不良品|届かな|届いてな", -1.6),
    *_ja(r"届いていな|壊れ|破れ|汚れ|遅い|遅れ|残念|おかしい|分かりにく|わかりにく|しつこ", -1.4),
    *_ja(r"意味(?:が)?(?:わから|分から|不明)|クレーム|返金して", -1.4),
    *_ja(
        r"悲し|(?:つら|辛)(?:い|かった|く|すぎ)|怖(?:い|かった|く|すぎ)|こわ(?:い|かった)|鬱|寂し",
        -1.2,
    ),
    # Japanese: praise and thanks. 「泣ける」「号泣」 are what a moving story makes you do.
    *_ja(r"最高|神(?:作|回|展開|漫画|マンガ|アニメ|巻|すぎ)|素晴らし|すばらし|完璧|大好き", 3.0),
    *_ja(
        r"(?:嬉|うれ)し|楽し|たのし|面白|おもしろ|オモシロ|素敵|すてき|感動|尊い|ワクワク|わくわく",
        2.4,
    ),
    *_ja(r"ありがと|有難|感謝|助か(?:る|った|り)|(?:良|よ)かった|好き|(?:可愛|かわい|カワイ)", 2.0),
    *_ja(
        r"満足|丁寧|便利|泣ける|泣けた|号泣|爆笑|笑った|期待|楽しみ|良(?:い|く|さ)|よい|よさ", 1.6
    ),
]

# Emoji and 顔文字, matched on the text as typed (before any normalisation).
_FACES: list[tuple[re.Pattern[str], float, str]] = [
    (re.compile(r"🤬"), -3.5, "🤬"),
    (re.compile(r"[😡😠💢]"), -2.8, "angry emoji"),
    (re.compile(r"👎"), -2.2, "👎"),
    (re.compile(r"[😤🙄😒😩😫😖]"), -1.5, "annoyed emoji"),
    (re.compile(r"[😞😔😣😟💔]"), -1.0, "sad emoji"),
    (re.compile(r"[😢😭🥲]"), -0.4, "crying emoji"),
    (re.compile(r"[😍🥰🤩❤💕💖]"), 2.5, "loving emoji"),
    (re.compile(r"[😊😄😃😁😆🎉👍🥹]"), 2.0, "happy emoji"),
    (re.compile(r"[🙂😌🙏✨😂🤣]"), 1.2, "smiling emoji"),
    # Table flips and angry faces: (╯°□°)╯︵ ┻━┻, (╬ಠ益ಠ), (｀Д´), ヽ(#ﾟДﾟ)ﾉ, ಠ_ಠ.
    (
        re.compile(r"┻━┻|[╬#＃💢][^()（）\s]{0,4}[Д皿益]|[｀`´][^()（）\s]{0,2}[Д皿益]|ಠ_ಠ"),
        -3.0,
        "angry face",
    ),
    # Tears: (T_T), (；ω；), (´；ω；`), orz.
    (
        re.compile(r"[TＴ][_＿.][TＴ]|[;；][_＿ωд][;；]|(?<![a-zA-Z])orz(?![a-zA-Z])"),
        -0.8,
        "crying face",
    ),
    # Smiles: (^_^), (^^), \(^o^)/, (・∀・), (*´ω｀*), (´▽｀).
    (re.compile(r"\^[_oＯ▽ω\-ー]?\^|・∀・|´∀｀|´▽｀|´ω｀|\(笑\)|（笑）"), 1.6, "smiling face"),
    (re.compile(r"(?<![a-zA-Z])[wｗ]{2,}(?![a-zA-Z.])"), 1.2, "laughing (www)"),
]

_EN_NEGATORS = frozenset(
    {"not", "no", "never", "neither", "nor", "without", "hardly", "barely", "cannot", "nothing"}
)
_EN_INTENSIFIERS = frozenset(
    {
        "very", "really", "so", "extremely", "totally", "absolutely", "completely", "utterly",
        "incredibly", "super", "too", "such", "freaking", "fucking", "damn", "seriously",
        "ridiculously", "beyond", "insanely", "truly", "most",
    }
)  # fmt: skip
_EN_DOWNTONERS = frozenset({"slightly", "somewhat", "kinda", "kind", "sort", "little", "bit"})
_JA_INTENSIFIER = re.compile(
    r"(?:本当に|ほんとに|ほんと|マジで|まじで|めちゃくちゃ|めちゃ|めっちゃ|すごく|すっごく|とても"
    r"|非常に|かなり|超|ガチで|完全に|全く|まったく|激|クソ|くそ|もう)$"
)
_JA_DOWNTONER = re.compile(r"(?:ちょっと|少し|すこし|やや|若干|多少)$")
# What negates the Japanese word just before it: 「面白くない」「怒ってない」「最悪じゃない」.
# Not a rhetorical question: 「ひどくないですか」「最悪じゃない？」.
_JA_NEGATION = re.compile(
    r"^(?:く|て|で)?(?:は|も)?(?:い|居)?(?:ない|なかった|なく|ません|ねえ|ねぇ|ず)"
    r"(?!です?か|か[?？]|[?？]|の[?？])"
    r"|^(?:じゃ|では)(?:ない|ありません)(?!です?か|か|[?？]|の)"
)
_EN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

# A sentence about a story, and one about something the store did.
_STORY = re.compile(
    r"(?<![a-z])(?:ending|endings|ended|plot|story|storyline|chapter|chapters|arc|character"
    r"|characters|protagonist|hero|heroine|villain|villains|mc|anime|scene|scenes|finale"
    r"|twist|episode|author|manga|series|volume|vol|death|died|dies|killed|cry|cried|crying"
    r"|tears|season|spoiler)(?![a-z])"
    r"|最終回|最終巻|最終話|結末|ラスト|展開|主人公|ヒロイン|悪役|キャラ|物語|ストーリー|作品|漫画"
    r"|マンガ|まんが|作者|原作|アニメ|シーン|場面|伏線|[0-9]+(?:巻|話)|泣"
)
_SERVICE = re.compile(
    r"(?<![a-z])(?:order|orders|ordered|delivery|delivered|deliver|shipping|shipped|ship"
    r"|arrived|arrive|package|parcel|refund|return|charged|charge|payment|paid|card|account"
    r"|support|service|bot|assistant|chat|store|shop|website|site|app|staff|you|your|cancel"
    r"|cancelled|canceled|damaged|price|coupon|checkout)(?![a-z])"
    r"|注文|配送|配達|発送|届|返金|返品|請求|支払|決済|カード|アカウント|対応|サポート|窓口|お前"
    r"|あなた|ボット|チャット|店|サイト|アプリ|スタッフ|担当|遅延|値段|価格|クーポン|キャンセル"
)
_CONTRAST = re.compile(r"(?<![a-z])but(?![a-z])|けど|けれど|でも|しかし|ただ、")
# Sentences end at 。！？!? and newlines, and at an ASCII period before a space or the end.
_SENTENCE_END = re.compile(r"[。！？!?\n]+|\.(?=\s|$)")


def analyse(text: str) -> Sentiment:
    """The sentiment of ``text``, with the entries that counted."""
    hits: list[Hit] = []
    total = 0.0
    for raw, exclamations in _sentences(text):
        sentence_total, sentence_hits = _sentence(raw, exclamations)
        total += sentence_total
        hits += sentence_hits
    score = total / math.sqrt(total * total + _ALPHA) if total else 0.0
    return Sentiment(max(-1.0, min(1.0, score)), tuple(hits))


def sentiment_score(text: str) -> float:
    """``text``'s sentiment from -1 (furious) to 1 (delighted); 0 when nothing counts."""
    return analyse(text).score


def is_strongly_negative(score: float) -> bool:
    return score <= STRONGLY_NEGATIVE


def _sentences(text: str) -> list[tuple[str, int]]:
    """The sentences of ``text``, each with the exclamation marks that closed it."""
    sentences: list[tuple[str, int]] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        closing = end.group()
        # The closing marks stay on: 「最悪じゃない？」 is a question, not a negation.
        sentences.append((text[start : end.end()], closing.count("!") + closing.count("！")))
        start = end.end()
    sentences.append((text[start:], 0))
    return [(raw, marks) for raw, marks in sentences if raw.strip()]


def _sentence(raw: str, exclamations: int) -> tuple[float, list[Hit]]:
    faces = [
        (m, valence, label) for pattern, valence, label in _FACES for m in pattern.finditer(raw)
    ]
    rest = raw
    for match, _, _ in sorted(faces, key=lambda f: f[0].start(), reverse=True):
        rest = rest[: match.start()] + " " + rest[match.end() :]
    normal = unicodedata.normalize("NFKC", rest)
    lower = normal.lower()
    scaled = [Hit(label, valence) for _, valence, label in faces]
    contrast = _CONTRAST.search(lower)
    for start, end, entry in _matches(lower):
        valence = entry.valence * _modifier(lower, normal, start, end, entry)
        if contrast is not None and contrast.start() > 0:
            valence *= 0.5 if end <= contrast.start() else 1.5
        scaled.append(Hit(lower[start:end], valence))
    if _STORY.search(lower) and not _SERVICE.search(lower):
        scaled = [
            Hit(hit.label, hit.valence * _STORY_DAMPING if hit.valence < 0 else hit.valence)
            for hit in scaled
        ]
    total = sum(hit.valence for hit in scaled)
    if total:
        total += math.copysign(min(exclamations, _MAX_EXCLAMATIONS) * _EXCLAMATION, total)
    return total, scaled


def _matches(lower: str) -> list[tuple[int, int, _Entry]]:
    """Every lexicon match, longest first where two overlap."""
    found = [
        (m.start(), m.end(), entry)
        for entry in _LEXICON
        for m in entry.pattern.finditer(lower)
        if m.end() > m.start()
    ]
    found.sort(key=lambda f: (f[0], f[0] - f[1]))
    kept: list[tuple[int, int, _Entry]] = []
    for start, end, entry in found:
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, entry))
    return kept


def _modifier(lower: str, normal: str, start: int, end: int, entry: _Entry) -> float:
    if entry.japanese:
        factor = _NEGATED if _JA_NEGATION.search(lower[end : end + 12]) else 1.0
        before = lower[max(0, start - 8) : start].rstrip("、, ")
        if _JA_INTENSIFIER.search(before):
            factor *= _INTENSIFIED
        elif _JA_DOWNTONER.search(before):
            factor *= _DOWNTONED
        return factor
    # The words just before, back to the last comma: "No, this is terrible" is no negation.
    clause = re.split(r"[,;:、]", lower[:start])[-1]
    words = _EN_WORD.findall(clause)[-3:]
    factor = 1.0
    if any(word in _EN_NEGATORS or word.endswith("n't") for word in words):
        factor *= _NEGATED
    factor *= _words_factor(words[-2:])
    original = normal[start:end] if len(normal) == len(lower) else ""
    if len(original) >= 3 and original.isupper() and not normal.isupper():
        factor *= _CAPS
    return factor


def _words_factor(words: Iterable[str]) -> float:
    factor = 1.0
    for word in words:
        if word in _EN_INTENSIFIERS:
            factor *= _INTENSIFIED
        elif word in _EN_DOWNTONERS:
            factor *= _DOWNTONED
    return factor
