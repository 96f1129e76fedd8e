"""The demo store: a synthetic manga catalog, shoppers, orders and promotions, and catalog search.

All of it is **synthetic**: series, authors, publishers, ASINs, ISBNs, users,
orders and promotions are made up by :mod:`connectors.store.generate` from a
fixed seed, and every data file says so (``"synthetic": true`` and a note).
"""

from connectors.store.exceptions import StoreError
from connectors.store.loader import StoreData, load_store
from connectors.store.search import CatalogHit, CatalogSearch, search_catalog_main

__all__ = [
    "CatalogHit",
    "CatalogSearch",
    "StoreData",
    "StoreError",
    "load_store",
    "search_catalog_main",
]
