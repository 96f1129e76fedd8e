"""The synthetic shoppers: users with browsing histories, and their orders in every state."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import get_args

from connectors.store import words
from connectors.store.dice import Dice
from connectors.store.models import (
    Genre,
    Item,
    Order,
    OrderLine,
    OrderStatus,
    Promotion,
    Series,
    User,
    View,
)
from connectors.store.promotion_maker import jst_midnight

USER_COUNT = 24
FREE_SHIPPING_FROM_JPY = 2000
SHIPPING_JPY = 350
_STATUSES: tuple[OrderStatus, ...] = get_args(OrderStatus)
_STATUS_WEIGHTS: tuple[tuple[OrderStatus, float], ...] = (
    ("pending", 0.08),
    ("paid", 0.08),
    ("shipped", 0.1),
    ("out_for_delivery", 0.06),
    ("delivered", 0.5),
    ("cancelled", 0.07),
    ("returned", 0.05),
    ("refunded", 0.06),
)
# How many days before ``as_of`` an order in each state was placed.
_AGE_DAYS: dict[OrderStatus, tuple[int, int]] = {
    "pending": (0, 2),
    "paid": (0, 2),
    "shipped": (1, 3),
    "out_for_delivery": (1, 3),
    "delivered": (4, 400),
    "cancelled": (2, 200),
    "returned": (15, 300),
    "refunded": (15, 300),
}
_SHIPPED: frozenset[OrderStatus] = frozenset(
    {"shipped", "out_for_delivery", "delivered", "returned"}
)
_DIGITAL_POSSIBLE: frozenset[OrderStatus] = frozenset({"delivered", "refunded"})


class ActivityMaker:
    def __init__(
        self,
        dice: Dice,
        as_of: date,
        series: tuple[Series, ...],
        items: tuple[Item, ...],
        promotions: tuple[Promotion, ...],
    ) -> None:
        self._dice = dice
        self._now = jst_midnight(as_of) + timedelta(hours=12)
        self._genres_of = {one.id: one.genres for one in series}
        self._items = items
        self._physical = {item.asin for item in items if item.format != "kindle"}
        self._coupons = tuple(
            p for p in promotions if p.kind == "coupon" and not p.series_ids and not p.genres
        )
        self._order_ids: set[str] = set()

    def make(self) -> tuple[tuple[User, ...], tuple[Order, ...]]:
        users = tuple(self._user(number) for number in range(1, USER_COUNT + 1))
        orders: list[Order] = []
        for user in users:
            for _ in range(self._dice.between(2, 8)):
                # The first orders walk through every state so each one is present.
                status = (
                    _STATUSES[len(orders)]
                    if len(orders) < len(_STATUSES)
                    else self._dice.weighted(_STATUS_WEIGHTS)
                )
                orders.append(self._order(user.id, status))
        return users, tuple(sorted(orders, key=lambda order: (order.placed_at, order.id)))

    def _user(self, number: int) -> User:
        dice = self._dice
        family_ja, family_romaji = dice.pick(words.FAMILY_NAMES)
        given_ja, given_romaji = dice.pick(words.GIVEN_NAMES)
        favorites: list[Genre] = dice.sample(get_args(Genre), dice.between(1, 3))
        liked = [
            item for item in self._items if set(self._genres_of[item.series_id]) & set(favorites)
        ]
        views = sorted(
            (
                View(
                    asin=dice.pick(liked).asin,
                    viewed_at=self._now - timedelta(minutes=dice.between(5, 60 * 24 * 60)),
                )
                for _ in range(dice.between(4, 15))
            ),
            key=lambda view: view.viewed_at,
        )
        return User(
            id=f"user-{number:02d}",
            name_ja=f"{family_ja} {given_ja}",
            name_romaji=f"{family_romaji} {given_romaji}",
            locale="ja" if dice.chance(0.7) else "en",
            member_since=(self._now - timedelta(days=dice.between(30, 3650))).date(),
            points=dice.between(0, 5000),
            favorite_genres=tuple(favorites),
            browsing_history=tuple(views),
        )

    def _order(self, user_id: str, status: OrderStatus) -> Order:
        dice = self._dice
        low, high = _AGE_DAYS[status]
        placed_at = self._now - timedelta(
            days=dice.between(low, high), minutes=dice.between(0, 600)
        )
        lines = self._lines(status, placed_at)
        subtotal = sum(line.unit_price_jpy * line.quantity for line in lines)
        physical = any(line.asin in self._physical for line in lines)
        shipping = SHIPPING_JPY if physical and subtotal < FREE_SHIPPING_FROM_JPY else 0
        coupon = next(
            (
                c
                for c in self._coupons
                if c.is_active(placed_at) and subtotal >= c.min_order_jpy and dice.chance(0.3)
            ),
            None,
        )
        discount = subtotal * (coupon.discount_percent or 0) // 100 if coupon else 0
        return Order(
            id=self._order_id(),
            user_id=user_id,
            status=status,
            placed_at=placed_at,
            updated_at=min(self._now, placed_at + timedelta(hours=dice.between(1, 96))),
            lines=lines,
            promotion_id=coupon.id if coupon else None,
            subtotal_jpy=subtotal,
            discount_jpy=discount,
            shipping_jpy=shipping,
            total_jpy=subtotal - discount + shipping,
            tracking_number=f"{dice.between(10**11, 10**12 - 1)}"
            if status in _SHIPPED and physical
            else None,
        )

    def _lines(self, status: OrderStatus, placed_at: datetime) -> tuple[OrderLine, ...]:
        dice = self._dice
        digital = status in _DIGITAL_POSSIBLE and dice.chance(0.3)
        # A pending order may wait for a preorder; any other holds items out by then.
        candidates = [
            item
            for item in self._items
            if (item.format == "kindle") == digital
            and (
                item.release_date <= placed_at.date()
                or (status == "pending" and item.availability == "preorder")
            )
        ]
        picked = dice.sample(candidates, dice.between(1, 3))
        return tuple(
            OrderLine(
                asin=item.asin,
                quantity=1 if digital or dice.chance(0.85) else 2,
                unit_price_jpy=item.price_jpy,
            )
            for item in picked
        )

    def _order_id(self) -> str:
        while True:
            order_id = (
                f"250-{self._dice.between(0, 9999999):07d}-{self._dice.between(0, 9999999):07d}"
            )
            if order_id not in self._order_ids:
                self._order_ids.add(order_id)
                return order_id
