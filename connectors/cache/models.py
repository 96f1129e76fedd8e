"""What the caches hold, and what is read live.

:class:`ProductDetails` is everything about a product that changes rarely: it
is cached. :class:`Offer` (price, availability, stock) changes with every sale
and is **never cached**: :class:`CatalogProduct` joins the two at read time.
Series and promotions are the store's own models (neither carries a price).
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from connectors.store.models import Availability, Item, ItemFormat

# Fields of a catalog item that must never be served from a cache.
LIVE_FIELDS = frozenset({"price_jpy", "availability", "stock"})


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProductDetails(_Frozen):
    """A product without its price or stock: safe to cache."""

    asin: str
    series_id: str
    format: ItemFormat
    volumes: tuple[int, ...] = Field(min_length=1)
    isbn13: str | None
    title_ja: str
    title_en: str
    title_romaji: str
    release_date: date
    page_count: int = Field(gt=0)
    rating: float | None
    review_count: int = Field(ge=0)
    review_ja: str | None
    review_en: str | None

    @classmethod
    def from_item(cls, item: Item) -> ProductDetails:
        return cls.model_validate(item.model_dump(exclude=set(LIVE_FIELDS)))


class Offer(_Frozen):
    """What a product costs and whether it can be bought, right now: read on every call."""

    asin: str
    price_jpy: int = Field(gt=0)
    availability: Availability
    # None for digital items, which never run out.
    stock: int | None = Field(ge=0)

    @classmethod
    def from_item(cls, item: Item) -> Offer:
        return cls(
            asin=item.asin,
            price_jpy=item.price_jpy,
            availability=item.availability,
            stock=item.stock,
        )


class CatalogProduct(_Frozen):
    """Cached details joined with the live offer; ``offer`` is None when nothing is on sale."""

    details: ProductDetails
    offer: Offer | None

    @property
    def asin(self) -> str:
        return self.details.asin


class Recommendations(_Frozen):
    """Products suggested to one shopper or session: ASINs only, shown through the catalog."""

    key: str
    asins: tuple[str, ...]
    generated_at: AwareDatetime
