"""Stage one of the intent classifier: bilingual keyword rules for the unambiguous cases.

A rule only decides a message when exactly one intent's strong pattern
matches, and only for the labels where training showed the rules precise
(:func:`agents.intent.train.trusted_rules`); everything else goes to the model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from agents.text import normalize

STRONG = 0.9
WEAK = 0.6


def _words(*alternatives: str) -> str:
    # Letter lookarounds rather than \b, which sees no boundary next to kana.
    return r"(?<![a-z])(?:" + "|".join(alternatives) + r")(?![a-z])"


@dataclass(frozen=True)
class _Rule:
    intent: str
    weight: float
    pattern: re.Pattern[str]


def _rule(intent: str, weight: float, *alternatives: str) -> _Rule:
    return _Rule(intent, weight, re.compile("|".join(alternatives)))


# Patterns run on NFKC-folded, lowercased text, so they are written in lowercase;
# re.IGNORECASE would make every search three times slower.
_RULES: tuple[_Rule, ...] = (
    _rule(
        "escalation",
        STRONG,
        _words(
            r"human",
            r"real person",
            r"representative",
            r"operator",
            r"live agent",
            r"customer (?:service|support)",
            r"support team",
            r"(?:talk|speak|chat)(?:ing)? (?:to|with) (?:a |an |your )?"
            r"(?:person|agent|someone|staff)",
        ),
        r"(?:担当者|オペレーター|スタッフ|サポート|人間|人)(?:と|に)(?:話|はな|代わ|かわ|つな|繋)",
        r"有人(?:対応|チャット)",
    ),
    _rule("escalation", WEAK, _words(r"complaint", r"unacceptable"), r"苦情|クレーム"),
    _rule(
        "checkout_help",
        STRONG,
        _words(
            r"declined",
            r"check ?out",
            r"can'?t (?:pay|buy|purchase|place (?:an |my )?order)",
            r"cannot (?:pay|buy|purchase|place (?:an |my )?order)",
            r"payment (?:failed|error|problem|issue|not working)",
            r"card (?:was |got |is )?(?:rejected|not working|not accepted|failed)",
        ),
        r"(?:支払|決済|購入|注文).{0,4}(?:でき(?:ない|ません)|エラー|失敗)",
        r"カード.{0,4}(?:使え|通ら|エラー|拒否)",
        r"買えな|買えません",
    ),
    _rule(
        "return_request",
        STRONG,
        _words(
            r"refund(?:s|ed)?",
            r"return(?:s|ing|ed)?",
            r"send (?:it|this|them) back",
            r"money back",
            r"exchange",
            r"damaged",
            r"torn",
            r"missing pages?",
            r"misprint(?:ed)?",
            r"defective",
        ),
        r"返品|返金|返却|交換|落丁|乱丁|破損|破れ|汚れ",
    ),
    _rule(
        "order_tracking",
        STRONG,
        _words(
            r"where(?:'s| is) my (?:order|package|parcel|book|books|manga|delivery)",
            r"track(?:ing)?",
            r"order status",
            r"status of my order",
            r"(?:has ?n[o']t|did ?n[o']t|not yet|never) (?:arrived|come|shipped)",
            r"when will (?:it|they|my \w+) (?:arrive|ship|come)",
            r"shipped yet",
            r"delivery status",
        ),
        r"いつ届|まだ届|届かな|届いていな|届きません|配送状況|配達状況|注文状況|追跡|荷物はどこ",
        r"いつ発送|発送(?:状況|され|済)",
    ),
    _rule("order_tracking", WEAK, _words(r"my order", r"ordered"), r"注文した|注文の"),
    _rule(
        "promotion",
        STRONG,
        _words(
            r"sales?",
            r"discounts?",
            r"coupons?",
            r"promo(?:tion)?s?",
            r"promo codes?",
            r"deals?",
            r"campaigns?",
            r"special offers?",
        ),
        r"セール|割引|クーポン|キャンペーン|ポイント還元|値引|特価|プロモーション",
    ),
    _rule(
        "faq",
        STRONG,
        _words(
            r"shipping",
            r"delivery (?:fees?|costs?|charges?|times?)",
            r"how long (?:does|will|do) (?:it|delivery|shipping|orders) take",
            r"payment methods?",
            r"pay (?:with|by)",
            r"points?",
            r"pre-?orders?",
            r"cancel(?:lation|led|ling)?",
            r"gift ?wrap(?:ping|ped)?",
            r"account",
            r"password",
            r"log ?in",
            r"sign ?in",
            r"privacy",
            r"personal (?:data|information)",
            r"remote islands?",
            r"okinawa",
            r"faq",
            r"policy",
        ),
        r"送料|配送料|離島|沖縄|お届け(?:日数|まで)|何日で|支払い?方法|決済方法|ポイント",
        r"予約|キャンセル|ギフト|ラッピング|アカウント|パスワード|ログイン|プライバシー",
        r"個人情報|会員|よくある質問|規約",
    ),
    _rule(
        "recommendation",
        STRONG,
        _words(
            r"recommend(?:ation|ations|ed|s)?",
            r"suggest(?:ion|ions)?",
            r"something like",
            r"similar to",
            r"what should i read",
            r"if i liked?",
            r"best manga",
            r"popular",
            r"trending",
        ),
        r"おすすめ|オススメ|お勧め|お薦め|似た(?:作品|漫画|マンガ)|みたいな(?:作品|漫画|マンガ)",
        r"人気|ランキング|何を読|何読",
    ),
    _rule(
        "product_question",
        STRONG,
        _words(
            r"price",
            r"cost",
            r"how many (?:pages|volumes)",
            r"page count",
            r"release date",
            r"come out",
            r"in stock",
            r"author",
            r"who (?:wrote|drew)",
            r"latest volume",
            r"next volume",
            r"new volume",
            r"english (?:version|edition)",
        ),
        r"値段|価格|何円|ページ数|何ページ|発売日|いつ発売|最新刊|新刊|在庫|作者|著者|何巻|英語版",
    ),
    _rule(
        "product_question",
        WEAK,
        _words(r"how much", r"available", r"released?", r"pages"),
        r"いくら|発売|続き",
    ),
    _rule(
        "product_discovery",
        STRONG,
        _words(
            r"looking for",
            r"searching for",
            r"search for",
            r"do you (?:have|sell|carry|stock)",
            r"find (?:me )?(?:a|an|some)",
            r"(?:fantasy|romance|horror|isekai|shonen|shounen|shojo|shoujo|seinen|josei|sports?"
            r"|mystery|sci-?fi|comedy|action|slice of life) (?:manga|comics?|series)",
        ),
        r"探して|探し|さがして|置いて(?:ます|あり|い)|取り扱|扱って",
    ),
    _rule(
        "product_discovery",
        WEAK,
        _words(r"manga", r"comics?", r"genres?", r"isekai", r"fantasy", r"romance", r"horror"),
        r"漫画|マンガ|コミック|ジャンル|異世界|ファンタジー|恋愛|ホラー|ありますか",
    ),
    _rule(
        "chitchat",
        STRONG,
        _words(
            r"hi",
            r"hello",
            r"hey",
            r"thanks?",
            r"thank you",
            r"thx",
            r"good (?:morning|afternoon|evening|night)",
            r"bye",
            r"goodbye",
            r"how are you",
            r"who are you",
        ),
        r"こんにちは|こんばんは|おはよう|ありがと|よろしく|さようなら|はじめまして|お疲れ|どうも",
        r"元気",
    ),
)


def matched_rules(folded: str) -> list[str]:
    """``intent:strength`` for every rule matching ``folded`` (NFKC, lowercase): model features."""
    return [
        f"{rule.intent}:{'strong' if rule.weight == STRONG else 'weak'}"
        for rule in _RULES
        if rule.pattern.search(folded)
    ]


def unambiguous_intent(text: str) -> str | None:
    """The one intent whose strong rule matches ``text``, or None.

    A greeting never makes a message ambiguous: "hello, where is my order" is
    order tracking.
    """
    return unambiguous_among(matched_rules(normalize(text)))


def unambiguous_among(matched: Iterable[str]) -> str | None:
    """The verdict of :func:`unambiguous_intent`, from :func:`matched_rules`' answer."""
    strong = {hit.partition(":")[0] for hit in matched if hit.endswith(":strong")}
    if len(strong) > 1:
        strong.discard("chitchat")
    return strong.pop() if len(strong) == 1 else None
