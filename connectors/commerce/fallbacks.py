"""What to tell the shopper when a store service is down: polite, bilingual, and a way forward.

The pipeline catches :class:`~connectors.commerce.exceptions.CommerceError`
(usually ``ServiceUnavailable``) from a service and answers with one of these
instead of an error. Links are paths on the store's site, like the product
pages' ``/dp/<asin>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote_plus

from connectors.commerce.models import Suggestion
from schemas.events import Locale

SEARCH_PATH = "/s"
ORDER_TRACKING_PATH = "/your-orders"
DEALS_PATH = "/deals"
RANKING_PATH = "/ranking"
SUPPORT_HOURS_JA = "毎日10:00〜18:00"
SUPPORT_HOURS_EN = "10:00 to 18:00 daily"


@dataclass(frozen=True, slots=True)
class BilingualText:
    ja: str
    en: str
    # Where the text points the shopper, if anywhere.
    link: str | None = None

    def render(self, locale: Locale) -> str:
        return self.ja if locale == "ja" else self.en


def search_link(query: str) -> str:
    """The store's search results page for ``query``."""
    return f"{SEARCH_PATH}?k={quote_plus(query.strip())}"


def catalog_unavailable(query: str | None = None) -> BilingualText:
    """The catalog is down: apologise and hand over a search link (for ``query``, if any)."""
    link = search_link(query) if query and query.strip() else SEARCH_PATH
    return BilingualText(
        ja="申し訳ありません。ただいま商品情報を読み込めないため、こちらでお探しできません。"
        f"お手数ですが、ストアの検索ページをご利用ください: {link}",
        en="Sorry, I can't load product details right now, so I can't look this up for you. "
        f"Please try the store's search page instead: {link}",
        link=link,
    )


def orders_unavailable(order_id: str | None = None) -> BilingualText:
    """The order service is down: point the shopper to the order-tracking page."""
    which_ja = f"ご注文{order_id}の" if order_id else "ご注文の"
    which_en = f"order {order_id}" if order_id else "your order"
    return BilingualText(
        ja=f"申し訳ありません。ただいま{which_ja}状況を確認できません。"
        f"アカウントの「注文履歴」にある注文追跡ページ（{ORDER_TRACKING_PATH}）で、"
        "最新の状況と配送伝票番号をご確認いただけます。",
        en=f"Sorry, I can't check {which_en} right now. The order-tracking page under Your "
        f"orders ({ORDER_TRACKING_PATH}) shows its latest status and the tracking number.",
        link=ORDER_TRACKING_PATH,
    )


def recommendations_unavailable(trending: Sequence[Suggestion]) -> BilingualText:
    """Recommendations are down: introduce the trending list, or point to the ranking."""
    if trending:
        return BilingualText(
            ja="ただいまお客様に合わせたおすすめをご用意できないため、今人気の作品をご紹介します。",
            en="I can't put together personal picks right now, so here is what is popular "
            "at the moment.",
        )
    return BilingualText(
        ja="申し訳ありません。ただいまおすすめをご用意できません。"
        f"トップページのランキング（{RANKING_PATH}）もぜひご覧ください。",
        en="Sorry, I can't make recommendations right now. The bestseller ranking "
        f"({RANKING_PATH}) is a good place to start.",
        link=RANKING_PATH,
    )


def returns_unavailable() -> BilingualText:
    """The return service is down: the shopper can start the return from Your orders."""
    return BilingualText(
        ja="申し訳ありません。ただいま返品の可否を確認できません。"
        f"注文履歴（{ORDER_TRACKING_PATH}）から対象の商品を選び、返品手続きを開始できます。"
        "未開封の本は、お届けから30日以内であれば返品できます。",
        en="Sorry, I can't check whether this can be returned right now. You can start the "
        f"return from Your orders ({ORDER_TRACKING_PATH}): unopened books can be returned "
        "within 30 days of delivery.",
        link=ORDER_TRACKING_PATH,
    )


def checkout_unavailable() -> BilingualText:
    """The checkout service is down: the general payment advice, and the support team."""
    return BilingualText(
        ja="申し訳ありません。ただいまお支払いの状況を確認できません。"
        "カード情報と請求先住所をご確認のうえ、別のお支払い方法もお試しください。"
        f"解決しない場合は、サポートチャット（{SUPPORT_HOURS_JA}）で担当者がお手伝いします。",
        en="Sorry, I can't check your payment right now. Please check the card details and "
        "billing address, or try another payment method. If it still fails, our support "
        f"chat ({SUPPORT_HOURS_EN}) can help.",
    )


def promotions_unavailable() -> BilingualText:
    """The promotion service is down: the Deals page lists the current sales and coupons."""
    return BilingualText(
        ja=f"ただいまキャンペーン情報を読み込めません。開催中のセールとクーポンは"
        f"「キャンペーン」ページ（{DEALS_PATH}）でご覧いただけます。",
        en="I can't load the current promotions right now. The Deals page "
        f"({DEALS_PATH}) lists every current sale and coupon.",
        link=DEALS_PATH,
    )
