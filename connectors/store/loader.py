"""Load the bundled synthetic store once and index it for lookups."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib.resources import files
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from connectors.store.exceptions import StoreError
from connectors.store.models import (
    Author,
    CatalogFile,
    Item,
    Label,
    Order,
    OrdersFile,
    Promotion,
    PromotionsFile,
    Publisher,
    Series,
    User,
    UsersFile,
)

FileModel = TypeVar("FileModel", bound=BaseModel)
K = TypeVar("K")
V = TypeVar("V")


def _by(key: Callable[[V], K], values: Iterable[V]) -> dict[K, V]:
    return {key(value): value for value in values}


def _grouped(key: Callable[[V], K], values: Iterable[V]) -> dict[K, tuple[V, ...]]:
    groups: defaultdict[K, list[V]] = defaultdict(list)
    for value in values:
        groups[key(value)].append(value)
    return {group: tuple(members) for group, members in groups.items()}


@dataclass(frozen=True)
class StoreData:
    """The whole store with its indexes; build it with :meth:`from_files`."""

    as_of: date
    genres: Mapping[str, Label]
    demographics: Mapping[str, Label]
    publishers: Mapping[str, Publisher]
    authors: Mapping[str, Author]
    series_by_id: Mapping[str, Series]
    item_by_asin: Mapping[str, Item]
    # Each series' items in catalog order: by volume, paperback before kindle, box set last.
    items_by_series: Mapping[str, tuple[Item, ...]]
    users_by_id: Mapping[str, User]
    order_by_id: Mapping[str, Order]
    # Each user's orders, oldest first.
    orders_by_user: Mapping[str, tuple[Order, ...]]
    promotions: tuple[Promotion, ...]

    @classmethod
    def from_files(
        cls, catalog: CatalogFile, users: UsersFile, orders: OrdersFile, promotions: PromotionsFile
    ) -> StoreData:
        return cls(
            as_of=catalog.as_of,
            genres=_by(lambda label: label.id, catalog.genres),
            demographics=_by(lambda label: label.id, catalog.demographics),
            publishers=_by(lambda publisher: publisher.id, catalog.publishers),
            authors=_by(lambda author: author.id, catalog.authors),
            series_by_id=_by(lambda series: series.id, catalog.series),
            item_by_asin=_by(lambda item: item.asin, catalog.items),
            items_by_series=_grouped(lambda item: item.series_id, catalog.items),
            users_by_id=_by(lambda user: user.id, users.users),
            order_by_id=_by(lambda order: order.id, orders.orders),
            orders_by_user=_grouped(
                lambda order: order.user_id, sorted(orders.orders, key=lambda o: o.placed_at)
            ),
            promotions=promotions.promotions,
        )

    def active_promotions(self, at: datetime) -> tuple[Promotion, ...]:
        """The promotions running at ``at``, which must carry a time zone."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise StoreError(f"active_promotions needs an aware datetime, got {at!r}")
        return tuple(promotion for promotion in self.promotions if promotion.is_active(at))


def _read(name: str, model: type[FileModel]) -> FileModel:
    try:
        raw = files("connectors.store").joinpath("data", name).read_bytes()
        return model.model_validate_json(raw)
    except (OSError, ValidationError) as exc:
        raise StoreError(f"the store's {name} cannot be loaded: {exc}") from exc


@cache
def load_store() -> StoreData:
    """The synthetic store shipped in ``connectors/store/data/``, loaded once per process."""
    return StoreData.from_files(
        _read("catalog.json", CatalogFile),
        _read("users.json", UsersFile),
        _read("orders.json", OrdersFile),
        _read("promotions.json", PromotionsFile),
    )
