"""Payment error codes and what to tell the shopper, after the help centre's payment pages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PaymentRule:
    hint_ja: str
    hint_en: str
    retryable: bool
    escalate: bool
    help_doc_id: str


PAYMENT_ERRORS: dict[str, PaymentRule] = {
    "card_declined": PaymentRule(
        "カードが承認されませんでした。カード番号、有効期限、セキュリティコード、請求先住所をご確認ください。"
        "それでも失敗する場合は、利用限度額などについてカード会社にお問い合わせいただくか、"
        "別のお支払い方法をお試しください。当店では承認されなかった理由を確認できません。",
        "Your card was declined. Check the card number, expiry date, security code and billing "
        "address. If it still fails, ask your card issuer about your credit limit or other "
        "restrictions, or try another payment method: we cannot see why a card was declined.",
        retryable=True,
        escalate=False,
        help_doc_id="payment-card",
    ),
    "card_expired": PaymentRule(
        "カードの有効期限が切れています。アカウントのお支払い方法でカード情報を更新するか、"
        "別のカードをお使いください。",
        "The card has expired. Update the card in the payment methods of your account, or use "
        "another card.",
        retryable=True,
        escalate=False,
        help_doc_id="payment-card",
    ),
    "3ds_failed": PaymentRule(
        "本人認証（3Dセキュア）が完了しませんでした。カード会社の認証画面でパスワードなどを入力し、"
        "もう一度お試しください。海外発行のカードは、3Dセキュアに対応している必要があります。",
        "The 3-D Secure check did not complete. Try again and confirm it on your card issuer's "
        "page. Cards issued abroad must support 3-D Secure.",
        retryable=True,
        escalate=False,
        help_doc_id="overseas-cards",
    ),
    "foreign_card_unsupported": PaymentRule(
        "海外発行のカードは、Visa、Mastercard、American Expressのみご利用いただけます。"
        "PayPalなどの電子ウォレットはご利用いただけません。",
        "Cards issued outside Japan are accepted only from Visa, Mastercard and American "
        "Express. PayPal and other digital wallets are not accepted.",
        retryable=True,
        escalate=False,
        help_doc_id="overseas-cards",
    ),
    "konbini_expired": PaymentRule(
        "コンビニ払いのお支払い期限（ご注文から3日目の23:59）を過ぎたため、ご注文は自動的にキャンセルされました。"
        "お手数ですが、もう一度ご注文ください。",
        "The convenience-store payment deadline (23:59 on the third day after ordering) has "
        "passed, so the order was cancelled automatically. Please place the order again.",
        retryable=True,
        escalate=False,
        help_doc_id="payment-konbini",
    ),
    "konbini_limit": PaymentRule(
        "コンビニ払いは1回のご注文につき50,000円までです。ご注文を分けるか、別のお支払い方法をお選びください。",
        "Convenience-store payment is limited to 50,000 yen per order. Split the order or "
        "choose another payment method.",
        retryable=True,
        escalate=False,
        help_doc_id="payment-konbini",
    ),
    "method_not_for_digital": PaymentRule(
        "電子書籍は、クレジットカード、キャリア決済、ギフトカード、ポイントでお支払いいただけます。"
        "コンビニ払いと代金引換はご利用いただけません。",
        "Digital books can be paid by credit card, carrier billing, gift card or points; "
        "convenience-store payment and cash on delivery are not available for them.",
        retryable=True,
        escalate=False,
        help_doc_id="payment-methods",
    ),
    "cod_unavailable": PaymentRule(
        "代金引換は、電子書籍、コンビニ受け取り、置き配のご注文ではご利用いただけません。"
        "また、1回のご注文は50,000円までです。",
        "Cash on delivery cannot be used for digital books, convenience-store pickup or "
        "orders left at the door, and is limited to 50,000 yen per order.",
        retryable=True,
        escalate=False,
        help_doc_id="cash-on-delivery",
    ),
    "carrier_limit": PaymentRule(
        "キャリア決済の月々のご利用上限を超えています。上限はご契約のキャリアが設定しています。"
        "別のお支払い方法をお使いください。",
        "The order is above your monthly carrier billing limit, which your carrier sets. "
        "Please use another payment method.",
        retryable=True,
        escalate=False,
        help_doc_id="payment-carrier-billing",
    ),
    "address_invalid": PaymentRule(
        "お届け先住所を確認できませんでした。郵便番号、都道府県、番地、建物名・部屋番号をご確認のうえ、"
        "アカウントの住所録を更新してください。お届け先は日本国内に限られます。",
        "We could not verify the delivery address. Check the postcode, prefecture, street "
        "number and building or room, and update your address book. We deliver in Japan only.",
        retryable=True,
        escalate=False,
        help_doc_id="address-change",
    ),
    "coupon_invalid": PaymentRule(
        "クーポンを適用できませんでした。有効期限、ご利用条件（最低ご注文金額など）をご確認ください。"
        "クーポンは1回のご注文につき1枚で、期限切れのクーポンは再発行できません。",
        "The coupon could not be applied. Check its expiry date and conditions, such as a "
        "minimum order. One coupon per order; expired coupons cannot be reissued.",
        retryable=True,
        escalate=False,
        help_doc_id="coupons-sales",
    ),
    "gift_card_invalid": PaymentRule(
        "ギフトカードのコードを確認できませんでした。アカウントの「ギフトカード」ページで、"
        "コードを正しく入力してください。",
        "We could not verify the gift card code. Enter it again on the Gift cards page of "
        "your account.",
        retryable=True,
        escalate=False,
        help_doc_id="gift-cards",
    ),
    "duplicate_charge": PaymentRule(
        "二重に請求されている可能性があります。担当者が確認しますので、サポートにおつなぎします。",
        "You may have been charged twice. Our support team will check it: I can connect you.",
        retryable=False,
        escalate=True,
        help_doc_id="contact-support",
    ),
}

UNKNOWN_PAYMENT_ERROR = PaymentRule(
    "お支払いを完了できませんでした。カード情報と請求先住所をご確認いただくか、別のお支払い方法をお試しください。"
    "解決しない場合は、担当者におつなぎします。",
    "The payment could not be completed. Check your card details and billing address, or try "
    "another payment method. If it still fails, I can connect you with our support team.",
    retryable=True,
    escalate=True,
    help_doc_id="payment-methods",
)


def normalise_code(error_code: str) -> str:
    return error_code.strip().lower().replace("-", "_")
