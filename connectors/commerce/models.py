"""What the store's services answer: frozen models, the same for every implementation.

They are also the JSON bodies of the HTTP API (``docs/commerce-api.md``), so a
model serialised by the local server validates back into itself on the client.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from connectors.store.models import Availability, ItemFormat, OrderStatus, PromotionKind
from schemas.events import Locale

MAX_ASINS = 50
MAX_K = 50

# What the shopper says of the item they want to return. For a digital item
# "unopened" means not started reading and "opened" started; "damaged" and
# "defective" both mean a display error.
ItemCondition = Literal["unopened", "opened", "damaged", "defective", "wrong_item"]
Resolution = Literal["return", "refund", "replacement"]
ReasonCode = Literal[
    "bought_together",
    "viewed_together",
    "same_author",
    "similar_genre",
    "favorite_genre",
    "popular_now",
    "personalized",
    "similar_item",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewSummary(_Model):
    """Preorders have no reviews yet: no rating and no summaries."""

    rating: float | None
    count: int = Field(ge=0)
    summary_ja: str | None
    summary_en: str | None


class Product(_Model):
    """A sellable item's details; price and stock are in :class:`Offer`, never here."""

    asin: str
    series_id: str
    title_ja: str
    title_en: str
    title_romaji: str
    author_ja: str
    author_romaji: str
    publisher_ja: str
    publisher_en: str
    format: ItemFormat
    volumes: tuple[int, ...]
    release_date: date
    page_count: int
    isbn13: str | None
    genres: tuple[str, ...]
    demographic: str
    reviews: ReviewSummary
    image_url: str


class Offer(_Model):
    """The live part of an item: read on every call, cached by no one."""

    asin: str
    price_jpy: int
    availability: Availability
    # None for digital items, which never run out.
    stock: int | None


class SearchHit(_Model):
    """A matching series, or one item of it when the query named a volume or a format."""

    kind: Literal["series", "item"]
    series_id: str
    asin: str | None
    title_ja: str
    title_en: str
    title_romaji: str
    author_ja: str
    author_romaji: str
    score: float
    why: str


class OrderLineDetails(_Model):
    asin: str
    series_id: str | None
    title_ja: str
    title_en: str
    format: ItemFormat | None
    quantity: int
    unit_price_jpy: int


class OrderDetails(_Model):
    id: str
    user_id: str
    status: OrderStatus
    placed_at: AwareDatetime
    updated_at: AwareDatetime
    # Set while the status is "delivered": the last update was the delivery.
    delivered_at: AwareDatetime | None
    lines: tuple[OrderLineDetails, ...]
    promotion_id: str | None
    subtotal_jpy: int
    discount_jpy: int
    shipping_jpy: int
    total_jpy: int
    tracking_number: str | None


class ReturnEligibility(_Model):
    """Whether one item of an order can be returned, refunded or replaced, and why."""

    order_id: str
    asin: str
    condition: ItemCondition
    eligible: bool
    reason_code: str
    reason_ja: str
    reason_en: str
    resolution: Resolution | None
    # The last day (JST) a request is accepted, when there is one.
    deadline: date | None
    return_shipping_paid_by: Literal["customer", "store"] | None
    # The help-centre document (connectors/knowledge/docs) the rule comes from.
    help_doc_id: str


class ReturnRequest(_Model):
    order_id: str
    user_id: str
    asin: str
    condition: ItemCondition = "unopened"


class ReturnAuthorization(_Model):
    """A started return (an RMA); starting the same return again yields the same one."""

    rma_id: str
    order_id: str
    user_id: str
    asin: str
    condition: ItemCondition
    resolution: Resolution
    return_shipping_paid_by: Literal["customer", "store"] | None
    created_at: AwareDatetime
    instructions_ja: str
    instructions_en: str


class CartLine(_Model):
    asin: str
    title_ja: str
    title_en: str
    quantity: int
    unit_price_jpy: int
    availability: Availability


class CartIssue(_Model):
    code: str
    asin: str | None
    message_ja: str
    message_en: str


class CartStatus(_Model):
    """The shopper's checkout in progress: an order placed and not yet paid, if any."""

    user_id: str
    order_id: str | None
    lines: tuple[CartLine, ...]
    subtotal_jpy: int
    shipping_jpy: int
    # How much more would make shipping free (0: already free, or nothing to ship).
    free_shipping_gap_jpy: int
    issues: tuple[CartIssue, ...]


class PaymentHint(_Model):
    """What a payment error code means for the shopper and what to do next."""

    error_code: str
    known: bool
    hint_ja: str
    hint_en: str
    # Trying again (with the fix the hint gives) may work.
    retryable: bool
    # Offer to hand the shopper over to the support team.
    escalate: bool
    help_doc_id: str | None


class PromotionInfo(_Model):
    id: str
    kind: PromotionKind
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    coupon_code: str | None
    discount_percent: int | None
    points_multiplier: int | None
    min_order_jpy: int
    # Covers the whole store; otherwise only ``series_ids`` and ``genres``.
    storewide: bool
    series_ids: tuple[str, ...]
    genres: tuple[str, ...]
    # Which of the asked-about items it covers (empty when none were asked about).
    applies_to: tuple[str, ...]


class Profile(_Model):
    user_id: str
    display_name_ja: str
    display_name_romaji: str
    locale: Locale
    favorite_genres: tuple[str, ...]
    member_since: date
    points: int


class Purchase(_Model):
    order_id: str
    asin: str
    series_id: str | None
    quantity: int
    at: AwareDatetime
    status: OrderStatus


class Viewed(_Model):
    asin: str
    series_id: str | None
    at: AwareDatetime


class History(_Model):
    """A shopper's purchases (every order line, any status) and views, oldest first."""

    user_id: str
    purchases: tuple[Purchase, ...]
    views: tuple[Viewed, ...]


class RecommendationRequest(_Model):
    """Who asks (None: a guest), what they browsed in this session and the page they are on."""

    user_id: str | None = None
    # Oldest first, as the session browsed them.
    session_viewed: tuple[str, ...] = Field(default=(), max_length=MAX_ASINS)
    page_asin: str | None = None
    k: int = Field(default=5, ge=1, le=MAX_K)


class Suggestion(_Model):
    """A recommended item, and why, in both languages."""

    asin: str
    series_id: str
    score: float
    reason_code: ReasonCode
    reason_ja: str
    reason_en: str


class RecommendationResult(_Model):
    """Suggestions; ``degraded`` when they are the trending fallback instead of the engine's."""

    suggestions: tuple[Suggestion, ...]
    degraded: bool = False
    error: str | None = None
