"""Facts picked out of the demo store for the contract tests, and small test doubles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from connectors.commerce.local import demo_clock
from connectors.commerce.returns import JST, jst_day
from connectors.store.loader import StoreData, load_store
from connectors.store.models import Order, OrderStatus


@dataclass(frozen=True)
class Pick:
    order: Order
    asin: str

    @property
    def user_id(self) -> str:
        return self.order.user_id


class Demo:
    """Orders and items of the bundled demo store in the states the tests need."""

    def __init__(self, store: StoreData | None = None) -> None:
        self.store = store or load_store()
        self.now = demo_clock(self.store)()
        self.today: date = jst_day(self.now)

    def _digital(self, order: Order) -> bool:
        return all(self.store.item_by_asin[line.asin].format == "kindle" for line in order.lines)

    def order(
        self, status: OrderStatus, accept: Callable[[Order], bool] = lambda order: True
    ) -> Order:
        return next(
            order
            for order in sorted(self.store.order_by_id.values(), key=lambda o: o.id)
            if order.status == status and accept(order)
        )

    def pick(self, order: Order, accept: Callable[[str], bool] = lambda asin: True) -> Pick:
        return Pick(order, next(line.asin for line in order.lines if accept(line.asin)))

    def age_days(self, order: Order) -> int:
        return (self.today - jst_day(order.updated_at)).days

    def recent_physical(self) -> Pick:
        """A delivered paper order still within its 30-day window, an in-stock item of it."""
        order = self.order(
            "delivered", lambda o: not self._digital(o) and self.age_days(o) <= 30 - 3
        )
        return self.pick(order, lambda a: self.store.item_by_asin[a].availability != "out_of_stock")

    def recent_out_of_stock(self) -> Pick:
        """A delivered paper order within its window holding an item now out of stock."""
        order = self.order(
            "delivered",
            lambda o: (
                not self._digital(o)
                and self.age_days(o) <= 30
                and any(
                    self.store.item_by_asin[ln.asin].availability == "out_of_stock"
                    for ln in o.lines
                )
            ),
        )
        return self.pick(order, lambda a: self.store.item_by_asin[a].availability == "out_of_stock")

    def old_physical(self) -> Pick:
        return self.pick(
            self.order("delivered", lambda o: not self._digital(o) and self.age_days(o) > 60)
        )

    def old_digital(self) -> Pick:
        return self.pick(
            self.order("delivered", lambda o: self._digital(o) and self.age_days(o) > 8)
        )

    def other_user(self, user_id: str) -> str:
        return next(user for user in sorted(self.store.users_by_id) if user != user_id)

    def user_with_pending(self) -> str:
        return self.order("pending").user_id

    def user_without_pending(self) -> str:
        pending = {o.user_id for o in self.store.order_by_id.values() if o.status == "pending"}
        return next(user for user in sorted(self.store.users_by_id) if user not in pending)


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def at(day: date, hour: int = 12) -> datetime:
    """``hour`` o'clock (JST) on ``day``."""
    return datetime.combine(day, datetime.min.time(), JST) + timedelta(hours=hour)
