"""The return rules, as the help centre states them (``connectors/knowledge/docs``).

* ``returns``: unopened books within 30 days of delivery; the shopper pays the
  return shipping when they changed their mind; opened ones only when defective.
* ``damaged-items``, ``missing-pages-misprints``, ``wrong-item``: reported
  within 30 days of delivery, replaced at the store's cost (both ways), or
  refunded in full when the item is out of stock. A misprint found later goes
  to the publisher.
* ``digital-refunds``: digital books are refunded within 7 days of purchase if
  not started (bought by mistake counts the same); never returned.
* ``order-cancellation``: an order that has not shipped is cancelled, not returned.

Days are counted on the Japanese calendar: the deadline is the last JST day
on which a request is accepted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal

from connectors.commerce.models import ItemCondition, Resolution
from connectors.store.models import Item, Order

JST = timezone(timedelta(hours=9))
RETURN_WINDOW_DAYS = 30
DIGITAL_REFUND_DAYS = 7
REFUND_BUSINESS_DAYS = 5


@dataclass(frozen=True, slots=True)
class ReturnDecision:
    eligible: bool
    reason_code: str
    reason_ja: str
    reason_en: str
    resolution: Resolution | None
    deadline: date | None
    return_shipping_paid_by: Literal["customer", "store"] | None
    help_doc_id: str


def jst_day(at: datetime) -> date:
    return at.astimezone(JST).date()


def _no(code: str, ja: str, en: str, doc: str, deadline: date | None = None) -> ReturnDecision:
    return ReturnDecision(False, code, ja, en, None, deadline, None, doc)


_BY_STATUS: dict[str, ReturnDecision] = {
    "pending": _no(
        "not_shipped",
        "このご注文はまだ発送前のため、返品ではなく注文履歴の「注文をキャンセル」からキャンセルできます。",
        "This order has not shipped yet, so there is nothing to return: you can cancel it "
        "with Cancel order in Your orders.",
        "order-cancellation",
    ),
    "cancelled": _no(
        "cancelled",
        "このご注文はキャンセル済みのため、返品の対象になりません。",
        "This order was cancelled, so there is nothing to return.",
        "order-cancellation",
    ),
    "shipped": _no(
        "not_delivered",
        "このご注文は配送中です。お届け後30日以内であれば、未開封の商品を返品できます。",
        "This order is on its way. Once it is delivered, unopened items can be returned "
        "within 30 days.",
        "returns",
    ),
    "returned": _no(
        "already_returned",
        "このご注文はすでに返品を受け付けています。返金は商品到着の確認後、5営業日以内に行います。",
        "We have already accepted a return for this order. We refund you within 5 business "
        "days of receiving the item.",
        "refund-timing",
    ),
    "refunded": _no(
        "already_refunded",
        "このご注文はすでに返金済みです。",
        "This order has already been refunded.",
        "refund-timing",
    ),
}
_BY_STATUS["paid"] = _BY_STATUS["pending"]
_BY_STATUS["out_for_delivery"] = _BY_STATUS["shipped"]


def decide_return(
    order: Order, item: Item, condition: ItemCondition, today: date
) -> ReturnDecision:
    """The rule that applies to ``item`` of ``order`` on ``today`` (a JST date)."""
    if order.status != "delivered":
        return _BY_STATUS[order.status]
    if item.format == "kindle":
        return _digital(order, condition, today)
    return _physical(order, item, condition, today)


def _digital(order: Order, condition: ItemCondition, today: date) -> ReturnDecision:
    if condition in ("damaged", "defective"):
        return ReturnDecision(
            True,
            "digital_defective",
            "表示の不具合をご報告いただければ、修正版のデータをお届けします。",
            "Report the display error and we deliver a corrected file.",
            "replacement",
            None,
            None,
            "missing-pages-misprints",
        )
    deadline = jst_day(order.placed_at) + timedelta(days=DIGITAL_REFUND_DAYS)
    if today > deadline:
        return _no(
            "digital_window_passed",
            "電子書籍の返金は購入から7日以内に限られるため、このご注文は返金できません。",
            "Digital books can only be refunded within 7 days of purchase, so this one "
            "cannot be refunded.",
            "digital-refunds",
            deadline,
        )
    if condition == "opened":
        return _no(
            "digital_started",
            "読み始めた電子書籍は返金できません。",
            "A digital book you have started reading cannot be refunded.",
            "digital-refunds",
            deadline,
        )
    return ReturnDecision(
        True,
        "digital_unread_refund",
        f"まだ読み始めていないため、{deadline:%Y年%m月%d日}まで返金をリクエストできます。"
        "返金すると、ライブラリと端末から削除されます。",
        f"As you have not started reading it, you can request a refund until {deadline:%Y-%m-%d}. "
        "Once refunded, the book is removed from your library and devices.",
        "refund",
        deadline,
        None,
        "digital-refunds",
    )


def _physical(order: Order, item: Item, condition: ItemCondition, today: date) -> ReturnDecision:
    delivered = jst_day(order.updated_at)
    deadline = delivered + timedelta(days=RETURN_WINDOW_DAYS)
    if today > deadline:
        if condition == "defective":
            return _no(
                "window_passed_publisher",
                "お届けから30日を過ぎているため、当店では交換できません。"
                "奥付に記載の出版社にお問い合わせください。多くの出版社が交換に応じています。",
                "It is more than 30 days since delivery, so we cannot replace it. Contact the "
                "publisher named in the colophon: most publishers replace misprinted copies.",
                "missing-pages-misprints",
                deadline,
            )
        return _no(
            "window_passed",
            "お届けから30日を過ぎているため、返品をお受けできません。",
            "It is more than 30 days since delivery, so it can no longer be returned.",
            "returns",
            deadline,
        )
    until_ja, until_en = f"{deadline:%Y年%m月%d日}", f"{deadline:%Y-%m-%d}"
    if condition == "unopened":
        return ReturnDecision(
            True,
            "returnable",
            f"未開封のため、{until_ja}まで返品できます。お客様のご都合による返品の返送料は"
            "お客様のご負担です。返金は商品到着の確認後、5営業日以内です。",
            f"It is unopened, so you can return it until {until_en}. For a change of mind you "
            "pay the return shipping; we refund you within 5 business days of receiving it.",
            "return",
            deadline,
            "customer",
            "returns",
        )
    if condition == "opened":
        return _no(
            "opened",
            "シュリンク（ビニール包装）を開けた商品は、不良品を除き返品できません。",
            "Items whose shrink wrap has been opened cannot be returned unless they are defective.",
            "returns",
            deadline,
        )
    doc = {
        "damaged": "damaged-items",
        "defective": "missing-pages-misprints",
        "wrong_item": "wrong-item",
    }[condition]
    if item.availability == "out_of_stock":
        return ReturnDecision(
            True,
            f"{condition}_refund",
            f"同じ商品が在庫切れのため、交換ではなく全額を返金します（{until_ja}までにお知らせください）。"
            "返送用ラベルをお送りし、送料は当店が負担します。",
            f"The same item is out of stock, so we refund you in full instead of replacing it "
            f"(tell us by {until_en}). We send a prepaid return label.",
            "refund",
            deadline,
            "store",
            doc,
        )
    return ReturnDecision(
        True,
        f"{condition}_replacement",
        f"{until_ja}までにお知らせいただければ、交換品を無料でお送りします。"
        "返送用ラベルをお送りし、往復の送料は当店が負担します。",
        f"Tell us by {until_en} and we send a replacement free of charge, with a prepaid "
        "label to send the other one back: shipping both ways is on us.",
        "replacement",
        deadline,
        "store",
        doc,
    )


_INSTRUCTIONS: dict[Resolution, tuple[str, str]] = {
    "return": (
        "返送用ラベルを発行しました。商品を梱包してラベルを貼り、発送してください。"
        "商品の到着を確認してから5営業日以内に返金します。",
        "We have issued a return label. Pack the item, attach the label and send it. We "
        "refund you within 5 business days of receiving it.",
    ),
    "refund": (
        "返金の手続きを開始しました。お支払いに使った方法に返金し、使ったポイントも戻ります。",
        "We have started your refund. It goes back to the payment method you used, with any "
        "points you spent.",
    ),
    "replacement": (
        "交換の手続きを開始しました。交換品をお送りし、送料無料の返送用ラベルをメールでお届けします。",
        "We have started your replacement. We send the right item and email you a prepaid "
        "label to send the other one back.",
    ),
}
_DIGITAL_REPLACEMENT = (
    "修正版のデータを配信します。届いたら、ライブラリで本を更新してください。",
    "We will deliver a corrected file. When it arrives, update the book in your library.",
)


def instructions(resolution: Resolution, digital: bool) -> tuple[str, str]:
    """What happens next, in Japanese and English, once a return is started."""
    if digital and resolution == "replacement":
        return _DIGITAL_REPLACEMENT
    return _INSTRUCTIONS[resolution]
