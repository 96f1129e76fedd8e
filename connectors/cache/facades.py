"""What callers use: the catalog (cached details + live offers), recommendations, promotions."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict

from connectors.cache.metrics import ORIGIN_KEYS, ORIGIN_LOADS
from connectors.cache.models import CatalogProduct, Offer, ProductDetails, Recommendations
from connectors.cache.origins import CatalogOrigin, PromotionOrigin
from connectors.cache.tiered import OriginLoader, TieredCache
from connectors.store.models import Promotion, Series
from mangaassist.errors import ConfigurationError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CachedCatalog:
    """Product details and series from the cache; price, availability and stock from the origin.

    Every :meth:`get_products` asks the origin for the live offers of the
    products it returns, concurrently with the cache lookup: a price or a
    stock level is never older than the call.
    """

    def __init__(
        self,
        products: TieredCache[ProductDetails],
        series: TieredCache[Series],
        origin: CatalogOrigin,
    ) -> None:
        self.products = products
        self.series = series
        self._origin = origin

    async def get_products(self, asins: Iterable[str]) -> dict[str, CatalogProduct]:
        """The known products among ``asins``, in the order asked, each with its live offer."""
        wanted = list(dict.fromkeys(asins))
        if not wanted:
            return {}
        details, offers = await asyncio.gather(
            self.products.get_many(wanted), self._live_offers(wanted)
        )
        return {
            asin: CatalogProduct(details=found, offer=offers.get(asin))
            for asin in wanted
            if (found := details.get(asin)) is not None
        }

    async def get_product(self, asin: str) -> CatalogProduct | None:
        return (await self.get_products((asin,))).get(asin)

    async def get_details(self, asins: Iterable[str]) -> dict[str, ProductDetails]:
        """Details only (no price, no stock), e.g. for a list that shows neither."""
        return await self.products.get_many(asins)

    async def get_series(self, series_ids: Iterable[str]) -> dict[str, Series]:
        return await self.series.get_many(series_ids)

    async def invalidate(self, asins: Sequence[str] = (), series_ids: Sequence[str] = ()) -> bool:
        """Drop products and series everywhere; False if Redis must be retried later."""
        products_done = await self.products.invalidate(asins)
        series_done = await self.series.invalidate(series_ids)
        return products_done and series_done

    async def _live_offers(self, asins: list[str]) -> dict[str, Offer]:
        metrics = self.products.metrics
        metrics.inc(ORIGIN_LOADS, namespace="offers")
        metrics.inc(ORIGIN_KEYS, len(asins), namespace="offers")
        return dict(await self._origin.offers(asins))


class CachedRecommendations:
    """Recommendations per signed-in shopper (``user:<id>``) or session (``session:<id>``).

    They hold ASINs only; show them through :class:`CachedCatalog`, which
    joins live prices and stock.
    """

    def __init__(self, cache: TieredCache[Recommendations]) -> None:
        self.cache = cache

    async def for_user(self, user_id: str) -> Recommendations | None:
        return await self.cache.get(f"user:{user_id}")

    async def for_session(self, session_id: str) -> Recommendations | None:
        return await self.cache.get(f"session:{session_id}")

    async def invalidate(
        self, user_ids: Sequence[str] = (), session_ids: Sequence[str] = ()
    ) -> bool:
        keys = [f"user:{u}" for u in user_ids] + [f"session:{s}" for s in session_ids]
        return await self.cache.invalidate(keys)


class PromotionWindow(BaseModel):
    """Every promotion running at some moment of ``[start, end)``: one cache entry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: AwareDatetime
    end: AwareDatetime
    promotions: tuple[Promotion, ...]


class CachedPromotions:
    """The active promotions, from a cached list per time window.

    Time is cut into windows of ``window_s`` (the promotions' TTL); the entry
    of a window holds every promotion running at some moment of it, and a read
    keeps those running at the moment asked. So a promotion that ends, or
    starts, in the middle of a window appears and disappears on time without
    waiting for the entry to expire.
    """

    def __init__(
        self,
        cache: TieredCache[PromotionWindow],
        window_s: float,
        *,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        if window_s <= 0:
            raise ConfigurationError(f"window_s must be positive, not {window_s}")
        self.cache = cache
        self.window_s = window_s
        self._now = now

    async def active(self, at: datetime | None = None) -> tuple[Promotion, ...]:
        """The promotions running at ``at`` (now when None)."""
        at = at or self._now()
        window = await self.cache.get(self.window_key(at))
        if window is None:
            return ()
        return tuple(promotion for promotion in window.promotions if promotion.is_active(at))

    async def invalidate(self) -> bool:
        """Drop the lists of the windows around now (neighbours too: clocks differ a little)."""
        index = self._index(self._now())
        return await self.cache.invalidate(f"window:{i}" for i in (index - 1, index, index + 1))

    def window_key(self, at: datetime) -> str:
        return f"window:{self._index(at)}"

    def _index(self, at: datetime) -> int:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ConfigurationError(f"promotions are looked up at an aware datetime, not {at!r}")
        return int((at - _EPOCH).total_seconds() // self.window_s)


def promotion_window_loader(
    origin: PromotionOrigin, window_s: float
) -> OriginLoader[PromotionWindow]:
    """The origin loader of :class:`CachedPromotions`' cache: ``window:<n>`` → its promotions."""

    async def load(keys: Sequence[str]) -> dict[str, PromotionWindow]:
        async def one(key: str) -> PromotionWindow:
            start = _EPOCH + timedelta(seconds=int(key.removeprefix("window:")) * window_s)
            end = start + timedelta(seconds=window_s)
            promotions = await origin.promotions_between(start, end)
            return PromotionWindow(start=start, end=end, promotions=tuple(promotions))

        windows = await asyncio.gather(*(one(key) for key in keys))
        return dict(zip(keys, windows, strict=True))

    return load
