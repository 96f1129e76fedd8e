"""The store's services over the synthetic demo data (``connectors/store``), in this process.

Time: the demo data is frozen on the catalog's ``as_of`` day, so "now" is noon
(JST) of that day unless a ``clock`` is given; return windows and carts are
judged against it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, time

from connectors.commerce.base import (
    checked_asins,
    checked_instant,
    checked_query,
    is_order_id,
)
from connectors.commerce.exceptions import NotFound, ServiceRejected
from connectors.commerce.models import (
    CartIssue,
    CartLine,
    CartStatus,
    History,
    ItemCondition,
    Offer,
    OrderDetails,
    OrderLineDetails,
    PaymentHint,
    Product,
    Profile,
    PromotionInfo,
    Purchase,
    ReturnAuthorization,
    ReturnEligibility,
    ReviewSummary,
    SearchHit,
    Viewed,
)
from connectors.commerce.payments import PAYMENT_ERRORS, UNKNOWN_PAYMENT_ERROR, normalise_code
from connectors.commerce.returns import JST, decide_return, instructions, jst_day
from connectors.store.activity_maker import FREE_SHIPPING_FROM_JPY, SHIPPING_JPY
from connectors.store.loader import StoreData, load_store
from connectors.store.models import Item, Order, Promotion, User
from connectors.store.search import CatalogSearch

Clock = Callable[[], datetime]
IMAGE_URL = "/images/placeholder/{asin}.jpg"


def demo_clock(store: StoreData) -> Clock:
    """A clock stopped at noon (JST) of the demo data's ``as_of`` day."""
    now = datetime.combine(store.as_of, time(12), JST)
    return lambda: now


def product_of(store: StoreData, item: Item) -> Product:
    series = store.series_by_id[item.series_id]
    author = store.authors[series.author_id]
    publisher = store.publishers[series.publisher_id]
    return Product(
        asin=item.asin,
        series_id=item.series_id,
        title_ja=item.title_ja,
        title_en=item.title_en,
        title_romaji=item.title_romaji,
        author_ja=author.name_ja,
        author_romaji=author.name_romaji,
        publisher_ja=publisher.name_ja,
        publisher_en=publisher.name_en,
        format=item.format,
        volumes=item.volumes,
        release_date=item.release_date,
        page_count=item.page_count,
        isbn13=item.isbn13,
        genres=series.genres,
        demographic=series.demographic,
        reviews=ReviewSummary(
            rating=item.rating,
            count=item.review_count,
            summary_ja=item.review_ja,
            summary_en=item.review_en,
        ),
        image_url=IMAGE_URL.format(asin=item.asin),
    )


def offer_of(item: Item) -> Offer:
    return Offer(
        asin=item.asin, price_jpy=item.price_jpy, availability=item.availability, stock=item.stock
    )


class LocalCatalogService:
    def __init__(self, store: StoreData, search: CatalogSearch | None = None) -> None:
        self._store = store
        if search is None:
            # The bundled store's index is built once per process.
            search = CatalogSearch.bundled() if store is load_store() else CatalogSearch(store)
        self._search = search

    async def get_products(self, asins: Sequence[str]) -> dict[str, Product]:
        items = self._store.item_by_asin
        wanted = checked_asins(asins, "catalog")
        return {asin: product_of(self._store, items[asin]) for asin in wanted if asin in items}

    async def get_offers(self, asins: Sequence[str]) -> dict[str, Offer]:
        items = self._store.item_by_asin
        wanted = checked_asins(asins, "catalog")
        return {asin: offer_of(items[asin]) for asin in wanted if asin in items}

    async def search(self, query: str, k: int = 10) -> list[SearchHit]:
        text = checked_query(query, k)
        hits = []
        for hit in self._search.search(text, k):
            author = self._store.authors[hit.series.author_id]
            titled = hit.item if hit.item is not None else hit.series
            hits.append(
                SearchHit(
                    kind="item" if hit.item is not None else "series",
                    series_id=hit.series.id,
                    asin=hit.item.asin if hit.item is not None else None,
                    title_ja=titled.title_ja,
                    title_en=titled.title_en,
                    title_romaji=titled.title_romaji,
                    author_ja=author.name_ja,
                    author_romaji=author.name_romaji,
                    score=round(hit.score, 4),
                    why=hit.why,
                )
            )
        return hits


def order_details(store: StoreData, order: Order) -> OrderDetails:
    lines = []
    for line in order.lines:
        item = store.item_by_asin.get(line.asin)
        lines.append(
            OrderLineDetails(
                asin=line.asin,
                series_id=item.series_id if item else None,
                title_ja=item.title_ja if item else line.asin,
                title_en=item.title_en if item else line.asin,
                format=item.format if item else None,
                quantity=line.quantity,
                unit_price_jpy=line.unit_price_jpy,
            )
        )
    return OrderDetails(
        id=order.id,
        user_id=order.user_id,
        status=order.status,
        placed_at=order.placed_at,
        updated_at=order.updated_at,
        delivered_at=order.updated_at if order.status == "delivered" else None,
        lines=tuple(lines),
        promotion_id=order.promotion_id,
        subtotal_jpy=order.subtotal_jpy,
        discount_jpy=order.discount_jpy,
        shipping_jpy=order.shipping_jpy,
        total_jpy=order.total_jpy,
        tracking_number=order.tracking_number,
    )


def _own_order(store: StoreData, order_id: str, user_id: str) -> Order | None:
    order = store.order_by_id.get(order_id) if is_order_id(order_id) else None
    return order if order is not None and order.user_id == user_id else None


class LocalOrderService:
    def __init__(self, store: StoreData) -> None:
        self._store = store

    async def get_order(self, order_id: str, user_id: str) -> OrderDetails | None:
        order = _own_order(self._store, order_id, user_id)
        return order_details(self._store, order) if order is not None else None

    async def list_orders(self, user_id: str) -> list[OrderDetails]:
        orders = self._store.orders_by_user.get(user_id, ())
        return [order_details(self._store, order) for order in reversed(orders)]


def rma_id(order_id: str, asin: str) -> str:
    """The RMA id of returning ``asin`` from ``order_id``: the same inputs, the same id."""
    digest = hashlib.sha256(f"{order_id}\x1f{asin}".encode()).hexdigest()
    return f"RMA-{digest[:12].upper()}"


class LocalReturnService:
    """Return rules over the demo orders; started returns are kept in this process."""

    def __init__(self, store: StoreData, *, clock: Clock | None = None) -> None:
        self._store = store
        self._clock = clock or demo_clock(store)
        self._started: dict[str, ReturnAuthorization] = {}

    async def eligibility(
        self, order_id: str, user_id: str, asin: str, condition: ItemCondition = "unopened"
    ) -> ReturnEligibility:
        order, item = self._order_item(order_id, user_id, asin)
        decision = decide_return(order, item, condition, jst_day(self._clock()))
        return ReturnEligibility(
            order_id=order.id,
            asin=item.asin,
            condition=condition,
            eligible=decision.eligible,
            reason_code=decision.reason_code,
            reason_ja=decision.reason_ja,
            reason_en=decision.reason_en,
            resolution=decision.resolution,
            deadline=decision.deadline,
            return_shipping_paid_by=decision.return_shipping_paid_by,
            help_doc_id=decision.help_doc_id,
        )

    async def start_return(
        self, order_id: str, user_id: str, asin: str, condition: ItemCondition = "unopened"
    ) -> ReturnAuthorization:
        rma = rma_id(order_id, asin)
        started = self._started.get(rma)
        if started is not None and started.user_id == user_id:
            return started
        verdict = await self.eligibility(order_id, user_id, asin, condition)
        if not verdict.eligible or verdict.resolution is None:
            raise ServiceRejected(
                f"the return is not allowed: {verdict.reason_en}",
                service="returns",
                code="not_eligible",
            )
        digital = self._store.item_by_asin[asin].format == "kindle"
        ja, en = instructions(verdict.resolution, digital)
        authorization = ReturnAuthorization(
            rma_id=rma,
            order_id=order_id,
            user_id=user_id,
            asin=asin,
            condition=condition,
            resolution=verdict.resolution,
            return_shipping_paid_by=verdict.return_shipping_paid_by,
            created_at=self._clock(),
            instructions_ja=ja,
            instructions_en=en,
        )
        return self._started.setdefault(rma, authorization)

    def _order_item(self, order_id: str, user_id: str, asin: str) -> tuple[Order, Item]:
        order = _own_order(self._store, order_id, user_id)
        if order is None:
            raise NotFound(
                f"no order {order_id} for this shopper", service="returns", code="order_not_found"
            )
        item = self._store.item_by_asin.get(asin)
        if item is None or all(line.asin != asin for line in order.lines):
            raise NotFound(
                f"{asin} is not in order {order_id}", service="returns", code="item_not_in_order"
            )
        return order, item


def _user(store: StoreData, user_id: str, service: str) -> User:
    user = store.users_by_id.get(user_id)
    if user is None:
        raise NotFound(f"no shopper {user_id}", service=service, code="user_not_found")
    return user


_CART_ISSUES = {
    "out_of_stock": (
        "「{title_ja}」は在庫切れのため、入荷するまで発送できません。",
        '"{title_en}" is out of stock and cannot ship until it is back.',
    ),
    "low_stock": (
        "「{title_ja}」は残りわずかです。",
        'Only a few of "{title_en}" are left.',
    ),
    "preorder": (
        "「{title_ja}」は予約商品のため、発売日に発送します。",
        '"{title_en}" is a pre-order and ships on its release date.',
    ),
}


class LocalCheckoutService:
    """The demo has no carts: a shopper's newest unpaid (pending) order stands for one."""

    def __init__(self, store: StoreData) -> None:
        self._store = store

    async def cart_status(self, user_id: str) -> CartStatus:
        _user(self._store, user_id, "checkout")
        pending = [o for o in self._store.orders_by_user.get(user_id, ()) if o.status == "pending"]
        if not pending:
            return CartStatus(
                user_id=user_id,
                order_id=None,
                lines=(),
                subtotal_jpy=0,
                shipping_jpy=0,
                free_shipping_gap_jpy=0,
                issues=(),
            )
        order = pending[-1]
        lines: list[CartLine] = []
        issues: list[CartIssue] = []
        physical = False
        for line in order.lines:
            item = self._store.item_by_asin[line.asin]
            physical = physical or item.format != "kindle"
            # Prices are read now: a cart shows today's price, as a checkout would.
            lines.append(
                CartLine(
                    asin=item.asin,
                    title_ja=item.title_ja,
                    title_en=item.title_en,
                    quantity=line.quantity,
                    unit_price_jpy=item.price_jpy,
                    availability=item.availability,
                )
            )
            if item.availability in _CART_ISSUES:
                ja, en = _CART_ISSUES[item.availability]
                issues.append(
                    CartIssue(
                        code=item.availability,
                        asin=item.asin,
                        message_ja=ja.format(title_ja=item.title_ja),
                        message_en=en.format(title_en=item.title_en),
                    )
                )
        subtotal = sum(line.unit_price_jpy * line.quantity for line in lines)
        free = subtotal >= FREE_SHIPPING_FROM_JPY
        return CartStatus(
            user_id=user_id,
            order_id=order.id,
            lines=tuple(lines),
            subtotal_jpy=subtotal,
            shipping_jpy=SHIPPING_JPY if physical and not free else 0,
            free_shipping_gap_jpy=FREE_SHIPPING_FROM_JPY - subtotal if physical and not free else 0,
            issues=tuple(issues),
        )

    async def diagnose_payment(self, user_id: str, error_code: str) -> PaymentHint:
        _user(self._store, user_id, "checkout")
        code = normalise_code(error_code)
        if not code or len(code) > 64:
            raise ServiceRejected(
                "error_code must have 1 to 64 characters", service="checkout", code="bad_code"
            )
        rule = PAYMENT_ERRORS.get(code)
        known = rule is not None
        rule = rule or UNKNOWN_PAYMENT_ERROR
        return PaymentHint(
            error_code=code,
            known=known,
            hint_ja=rule.hint_ja,
            hint_en=rule.hint_en,
            retryable=rule.retryable,
            escalate=rule.escalate,
            help_doc_id=rule.help_doc_id,
        )


def promotion_info(promotion: Promotion, applies_to: tuple[str, ...]) -> PromotionInfo:
    return PromotionInfo(
        id=promotion.id,
        kind=promotion.kind,
        title_ja=promotion.title_ja,
        title_en=promotion.title_en,
        description_ja=promotion.description_ja,
        description_en=promotion.description_en,
        starts_at=promotion.starts_at,
        ends_at=promotion.ends_at,
        coupon_code=promotion.coupon_code,
        discount_percent=promotion.discount_percent,
        points_multiplier=promotion.points_multiplier,
        min_order_jpy=promotion.min_order_jpy,
        storewide=not promotion.series_ids and not promotion.genres,
        series_ids=promotion.series_ids,
        genres=promotion.genres,
        applies_to=applies_to,
    )


class LocalPromotionService:
    def __init__(self, store: StoreData) -> None:
        self._store = store

    async def active_promotions(
        self, at: datetime, asins: Sequence[str] | None = None
    ) -> list[PromotionInfo]:
        running = self._store.active_promotions(checked_instant(at, "promotions"))
        running = tuple(sorted(running, key=lambda p: (p.ends_at, p.id)))
        if asins is None:
            return [promotion_info(promotion, ()) for promotion in running]
        items = [
            self._store.item_by_asin[asin]
            for asin in checked_asins(asins, "promotions")
            if asin in self._store.item_by_asin
        ]
        found = []
        for promotion in running:
            covered = tuple(item.asin for item in items if self._covers(promotion, item))
            if covered:
                found.append(promotion_info(promotion, covered))
        return found

    def _covers(self, promotion: Promotion, item: Item) -> bool:
        if not promotion.series_ids and not promotion.genres:
            return True
        genres = self._store.series_by_id[item.series_id].genres
        return item.series_id in promotion.series_ids or bool(set(genres) & set(promotion.genres))


class LocalProfileService:
    def __init__(self, store: StoreData) -> None:
        self._store = store

    async def get_profile(self, user_id: str) -> Profile:
        user = _user(self._store, user_id, "profiles")
        return Profile(
            user_id=user.id,
            display_name_ja=user.name_ja,
            display_name_romaji=user.name_romaji,
            locale=user.locale,
            favorite_genres=user.favorite_genres,
            member_since=user.member_since,
            points=user.points,
        )

    async def history(self, user_id: str) -> History:
        user = _user(self._store, user_id, "profiles")
        items = self._store.item_by_asin

        def series_of(asin: str) -> str | None:
            item = items.get(asin)
            return item.series_id if item else None

        purchases = tuple(
            Purchase(
                order_id=order.id,
                asin=line.asin,
                series_id=series_of(line.asin),
                quantity=line.quantity,
                at=order.placed_at,
                status=order.status,
            )
            for order in self._store.orders_by_user.get(user_id, ())
            for line in order.lines
        )
        views = tuple(
            Viewed(asin=view.asin, series_id=series_of(view.asin), at=view.viewed_at)
            for view in user.browsing_history
        )
        return History(user_id=user.id, purchases=purchases, views=views)
