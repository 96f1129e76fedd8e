import pytest
from pydantic import ValidationError

from connectors.cache import CacheSettings, caches_from_settings
from connectors.cache.metrics import ORIGIN_LOADS
from tests.unit.connectors.cache.helpers import FakeCatalog

ASINS = ("B0AAAAAAA1", "B0AAAAAAA2")


def test_defaults() -> None:
    settings = CacheSettings()
    assert settings.enabled
    assert settings.redis_url.get_secret_value() == "redis://127.0.0.1:6379/0"
    assert (settings.products_ttl_s, settings.recommendations_ttl_s, settings.promotions_ttl_s) == (
        600,
        300,
        60,
    )
    assert (settings.l1_size, settings.l1_ttl_s, settings.timeout_s) == (10_000, 30.0, 0.1)


def test_every_setting_is_described() -> None:
    assert all(field.description for field in CacheSettings.model_fields.values())


def test_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANGAASSIST_CACHE_ENABLED", "false")
    monkeypatch.setenv("MANGAASSIST_CACHE_REDIS_URL", "redis://:hunter2@cache:6379/2")
    monkeypatch.setenv("MANGAASSIST_CACHE_L1_SIZE", "50")
    monkeypatch.setenv("MANGAASSIST_CACHE_PRODUCTS_TTL_S", "120")
    monkeypatch.setenv("MANGAASSIST_CACHE_RECOMMENDATIONS_TTL_S", "90")
    monkeypatch.setenv("MANGAASSIST_CACHE_PROMOTIONS_TTL_S", "30")
    monkeypatch.setenv("MANGAASSIST_CACHE_TIMEOUT_S", "0.05")
    settings = CacheSettings()
    assert not settings.enabled
    assert "hunter2" not in repr(settings)
    assert settings.l1_size == 50
    assert (settings.products_ttl_s, settings.recommendations_ttl_s) == (120, 90)
    assert (settings.promotions_ttl_s, settings.timeout_s) == (30, 0.05)


@pytest.mark.parametrize(
    ("name", "value"),
    [("L1_SIZE", "-1"), ("PRODUCTS_TTL_S", "0"), ("PROMOTIONS_TTL_S", "0"), ("TIMEOUT_S", "0")],
)
def test_values_that_cannot_work_are_refused(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"MANGAASSIST_CACHE_{name}", value)
    with pytest.raises(ValidationError):
        CacheSettings()


async def test_the_suite_is_built_without_connecting() -> None:
    suite = caches_from_settings(CacheSettings(redis_url="redis://nowhere.invalid:1/0"))
    assert suite.redis is not None
    assert suite.listener is not None
    assert set(suite.caches) == {"products", "series", "recommendations", "promotions"}
    assert suite.catalog.products.l1.ttl_s == 30.0  # min(products TTL, l1_ttl_s)
    await suite.aclose()


async def test_an_empty_redis_url_means_l1_only() -> None:
    suite = caches_from_settings(CacheSettings(redis_url=""))
    assert suite.redis is None
    assert suite.listener is None
    assert all(cache.l2 is None for cache in suite.caches.values())
    product = next(iter(await suite.catalog.get_details(["B07S9CJ8GX"])))
    assert product == "B07S9CJ8GX"  # the synthetic store is the default origin
    await suite.aclose()


async def test_disabled_means_every_lookup_goes_to_the_origin() -> None:
    origin = FakeCatalog(ASINS)
    suite = caches_from_settings(CacheSettings(enabled=False), catalog=origin)
    assert suite.redis is None
    for _ in range(3):
        await suite.catalog.get_products(ASINS)
    assert len(origin.detail_calls) == 3
    assert suite.metrics.count(ORIGIN_LOADS, namespace="products") == 3
    await suite.aclose()
