"""Every sentence the assistant says on its own, in Japanese and English.

The store is the fictional MangaAssist demo store; the pages named here match
``agents/data/faq.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.events import Locale


@dataclass(frozen=True)
class Bilingual:
    ja: str
    en: str

    def render(self, locale: Locale, **values: str) -> str:
        return (self.ja if locale == "ja" else self.en).format(**values)


def join_sentences(locale: Locale, *parts: str) -> str:
    """Put sentences one after another the way each language does: no space in Japanese."""
    return ("" if locale == "ja" else " ").join(part for part in parts if part)


SIGN_IN_FOR_ORDERS = Bilingual(
    ja="ご注文{order_id}の状況をお調べするには、ログインをお願いします。"
    "ログイン後も、この会話はそのまま続けられます。",
    en="To look up order {order_id}, please sign in first. "
    "This conversation will carry on after you sign in.",
)
ORDER_NOT_FOUND = Bilingual(
    ja="ご注文{order_id}は、お客様のアカウントでは見つかりませんでした。"
    "番号をご確認いただくか、注文履歴のページをご覧ください。",
    en="I couldn't find order {order_id} on your account. "
    "Please check the number, or see the order history page.",
)
PRODUCTS_FOUND = Bilingual(
    ja="カタログで見つかった商品です。",
    en="Here is what I found in our catalog.",
)
REPHRASE = Bilingual(
    ja="申し訳ありません、うまく理解できませんでした。別の言い方でもう一度お聞かせいただけますか?"
    "(例:「注文した本はいつ届きますか」「おすすめのファンタジー漫画は?」)",
    en="Sorry, I didn't quite understand that. Could you rephrase it? For example: "
    '"Where is my order?" or "Can you recommend a fantasy manga?"',
)

RECOMMENDED = Bilingual(
    ja="おすすめの作品です。",
    en="Here are a few picks for you.",
)
TRENDING = Bilingual(
    ja="ただいまお客様に合わせたおすすめをご用意できないため、今人気の作品をご紹介します。",
    en="I can't put together personal picks right now, so here is what is popular at the moment.",
)
LOWER_CONFIDENCE = Bilingual(
    ja="(ただいまヘルプページを参照できないため、この回答は不確かな場合があります。)",
    en="(I can't reach our help pages right now, so this answer may be incomplete.)",
)
WHICH_ONE = Bilingual(
    ja="どちらの商品のことでしょうか?番号か作品名で教えてください。",
    en="Which one do you mean? Tell me its number or its title.",
)
CONTEXT_LOST = Bilingual(
    ja="(ただいま会話の履歴を参照できないため、これより前のやり取りを踏まえずにお答えしています。)",
    en="(I can't reach our conversation history right now, so I may have lost what we said "
    "earlier.)",
)

CONNECTING = Bilingual(
    ja="サポートチームの担当者におつなぎします。このままお待ちください。",
    en="I'm connecting you with a member of our support team. Please stay in this chat.",
)

# The hand-off, once the shopper is in the queue (agents/handoff.py, streams/handoff_agent.py).
# {wait} is "約3分" / "about 3 minutes", {position} the place in line (1 is next).
HANDOFF_OFFER = Bilingual(
    ja="担当者におつなぎします。",
    en="Let me connect you with a member of our support team.",
)
HANDOFF_WAIT = Bilingual(
    ja="お待ちいただく時間の目安は{wait}です（{position}番目にご案内します）。",
    en="The wait is {wait} (you are number {position} in line).",
)
HANDOFF_STILL_WAITING = Bilingual(
    ja="担当者におつなぎするまで、もうしばらくお待ちください。",
    en="You are still in line for our support team; thank you for waiting.",
)
HANDOFF_SOON = Bilingual(
    ja="まもなく担当者がご対応します。このままお待ちください。",
    en="A member of our support team will be with you shortly. Please stay in this chat.",
)
HANDOFF_JOINED = Bilingual(
    ja="担当者がチャットに参加しました。",
    en="A member of our support team has joined the chat.",
)
HANDOFF_UNAVAILABLE = Bilingual(
    ja="申し訳ありません。ただいま担当者におつなぎできません。しばらくしてから、もう一度お試しください。",
    en="Sorry, I can't reach our support team right now. Please try again in a little while.",
)

ERROR = Bilingual(
    ja="申し訳ありません。システムで問題が発生したため、お答えできませんでした。"
    "しばらくしてから、もう一度お試しください。",
    en="Sorry, something went wrong on our side and I couldn't answer. "
    "Please try again in a moment.",
)

# What each intent says when the FAQ has nothing on the question.
BY_INTENT: dict[str, Bilingual] = {
    "chitchat": Bilingual(
        ja="MangaAssistです。漫画探し、ご注文の確認、お買い物に関するご質問などをお手伝いします。"
        "どのようなご用件でしょうか?",
        en="Hi, I'm MangaAssist. I can help you find manga, check on an order or answer "
        "questions about shopping here. How can I help?",
    ),
    "product_discovery": Bilingual(
        ja="漫画探しをお手伝いします!お好きなジャンル、作家、作品名と、"
        "単行本・Kindle版のどちらがよいかを教えてください。",
        en="Happy to help you find a manga! Tell me a genre, an author or a series you like, "
        "and whether you prefer paperback or Kindle.",
    ),
    "product_question": Bilingual(
        ja="価格、ページ数、発売日、フォーマットは各巻の商品ページでご確認いただけます。"
        "ストア上部の検索バーで作品名を検索してください。",
        en="Each volume's product page lists its price, page count, release date and formats. "
        "Search for the title in the bar at the top of the store.",
    ),
    "faq": Bilingual(
        ja="申し訳ありません、ヘルプページに該当する情報が見つかりませんでした。"
        "もう少し詳しく教えていただくか、担当者との会話をご希望の場合はお知らせください。",
        en="Sorry, I couldn't find that in our help pages. Could you tell me a bit more? "
        "If you'd rather talk to our support team, just say so.",
    ),
    "order_tracking": Bilingual(
        ja="ご注文の状況は、アカウントの「注文履歴」にある注文追跡ページでご確認いただけます。"
        "注文番号(例:250-1234567-7654321)を教えていただければ、ご案内します。",
        en="You can see where your order is on the order-tracking page under Your orders in "
        "your account. If you share the order number (like 250-1234567-7654321), "
        "I can point you to it.",
    ),
    "return_request": Bilingual(
        ja="返品・返金のお手続きをお手伝いします。注文番号と、商品の状態を教えてください。",
        en="I can help with a return or refund. Please tell me the order number and what is "
        "wrong with the item.",
    ),
    "promotion": Bilingual(
        ja="開催中のセールとクーポンは「キャンペーン」ページでご覧いただけます。",
        en="Current sales and coupons are listed on the Deals page.",
    ),
    "recommendation": Bilingual(
        ja="お好きな作品を教えていただければ、似た作品をご紹介します。"
        "トップページのスタッフおすすめとランキングも参考になります。",
        en="Tell me a series you enjoyed and I'll suggest similar ones. The staff picks and "
        "the bestseller ranking on the home page are a good place to start, too.",
    ),
    "checkout_help": Bilingual(
        ja="お支払いでお困りとのこと、申し訳ありません。カード情報と請求先住所をご確認のうえ、"
        "別のお支払い方法もお試しください。解決しない場合は担当者におつなぎします。",
        en="Sorry you're having trouble paying. Please check the card details and billing "
        "address, or try another payment method. If it still fails, I can connect you "
        "with our support team.",
    ),
    # The connecting sentence says it all.
    "escalation": Bilingual(ja="", en=""),
}
