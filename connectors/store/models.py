"""Frozen models of the synthetic demo store: catalog, users, orders and promotions.

Each ``*File`` model is one file under ``data/``; every file carries
``synthetic: true`` and a note saying the data is made up.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from connectors.store.ids import ASIN_PATTERN, ORDER_ID_PATTERN

Genre = Literal[
    "action",
    "adventure",
    "fantasy",
    "isekai",
    "romance",
    "slice_of_life",
    "sports",
    "mystery",
    "horror",
    "sci_fi",
    "comedy",
    "historical",
    "cooking",
    "drama",
    "music",
]
Demographic = Literal["shonen", "shojo", "seinen", "josei", "kodomo"]
ItemFormat = Literal["paperback", "kindle", "box_set", "special_edition"]
Availability = Literal["in_stock", "low_stock", "out_of_stock", "preorder"]
OrderStatus = Literal[
    "pending",
    "paid",
    "shipped",
    "out_for_delivery",
    "delivered",
    "cancelled",
    "returned",
    "refunded",
]
PromotionKind = Literal["coupon", "sale", "points"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _DataFile(_Frozen):
    synthetic: Literal[True]
    note: str = Field(min_length=1)


class Label(_Frozen):
    """A fixed bilingual term: a genre or a demographic."""

    id: str
    name_ja: str
    name_en: str


class Author(_Frozen):
    id: str
    name_ja: str
    name_romaji: str


class Publisher(_Frozen):
    id: str
    name_ja: str
    name_en: str


class Series(_Frozen):
    id: str
    title_ja: str
    title_en: str
    title_romaji: str
    author_id: str
    publisher_id: str
    genres: tuple[Genre, ...] = Field(min_length=1)
    demographic: Demographic
    completed: bool
    volume_count: int = Field(ge=1)


class Item(_Frozen):
    """One sellable product: a volume in one format, a special edition or a box set."""

    asin: str = Field(pattern=ASIN_PATTERN)
    series_id: str
    format: ItemFormat
    # One volume, or every volume a box set holds.
    volumes: tuple[int, ...] = Field(min_length=1)
    isbn13: str | None
    title_ja: str
    title_en: str
    title_romaji: str
    price_jpy: int = Field(gt=0)
    availability: Availability
    # None for digital items, which never run out.
    stock: int | None = Field(ge=0)
    release_date: date
    page_count: int = Field(gt=0)
    # Preorders have no reviews yet: no rating and no summaries.
    rating: float | None = Field(ge=1, le=5)
    review_count: int = Field(ge=0)
    review_ja: str | None
    review_en: str | None

    @property
    def volume(self) -> int | None:
        """The volume number of a single-volume item, None for a box set."""
        return self.volumes[0] if len(self.volumes) == 1 else None


class CatalogFile(_DataFile):
    # Release dates after this day are in the future: those items are preorders.
    as_of: date
    genres: tuple[Label, ...]
    demographics: tuple[Label, ...]
    publishers: tuple[Publisher, ...]
    authors: tuple[Author, ...]
    series: tuple[Series, ...]
    items: tuple[Item, ...]


class View(_Frozen):
    asin: str
    viewed_at: AwareDatetime


class User(_Frozen):
    id: str
    name_ja: str
    name_romaji: str
    locale: Literal["ja", "en"]
    member_since: date
    points: int = Field(ge=0)
    favorite_genres: tuple[Genre, ...]
    browsing_history: tuple[View, ...]


class UsersFile(_DataFile):
    users: tuple[User, ...]


class OrderLine(_Frozen):
    asin: str
    quantity: int = Field(ge=1)
    unit_price_jpy: int = Field(gt=0)


class Order(_Frozen):
    id: str = Field(pattern=ORDER_ID_PATTERN)
    user_id: str
    status: OrderStatus
    placed_at: AwareDatetime
    updated_at: AwareDatetime
    lines: tuple[OrderLine, ...] = Field(min_length=1)
    promotion_id: str | None
    subtotal_jpy: int = Field(ge=0)
    discount_jpy: int = Field(ge=0)
    shipping_jpy: int = Field(ge=0)
    total_jpy: int = Field(ge=0)
    tracking_number: str | None


class OrdersFile(_DataFile):
    orders: tuple[Order, ...]


class Promotion(_Frozen):
    id: str
    kind: PromotionKind
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    coupon_code: str | None
    discount_percent: int | None = Field(ge=1, le=90)
    points_multiplier: int | None = Field(ge=2)
    min_order_jpy: int = Field(ge=0)
    # Empty when the promotion covers the whole store.
    series_ids: tuple[str, ...]
    genres: tuple[Genre, ...]

    def is_active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


class PromotionsFile(_DataFile):
    promotions: tuple[Promotion, ...]
