import pytest

from connectors.cache import TtlCache
from mangaassist.errors import ConfigurationError
from tests.unit.connectors.cache.helpers import FakeClock


def test_a_value_is_kept_until_its_ttl_runs_out() -> None:
    clock = FakeClock()
    cache = TtlCache[str](10, 60, clock=clock)
    cache.put("a", "1")
    clock.advance(59.9)
    assert cache.get("a") == "1"
    clock.advance(0.1)
    assert cache.get("a") is None
    assert len(cache) == 0


def test_each_entry_may_have_its_own_ttl() -> None:
    clock = FakeClock()
    cache = TtlCache[str](10, 60, clock=clock)
    cache.put("short", "s", ttl_s=5)
    cache.put("long", "l")
    clock.advance(10)
    assert cache.get_many(["short", "long", "unknown"]) == {"long": "l"}


def test_past_max_size_the_least_recently_used_entry_goes() -> None:
    cache = TtlCache[int](3, 60, clock=FakeClock())
    for number, key in enumerate("abc"):
        cache.put(key, number)
    assert cache.get("a") == 0  # a is now the most recently used
    cache.put("d", 3)
    assert cache.get("b") is None
    assert cache.get_many("acd") == {"a": 0, "c": 2, "d": 3}
    assert len(cache) == 3


def test_putting_again_replaces_and_refreshes() -> None:
    clock = FakeClock()
    cache = TtlCache[str](2, 60, clock=clock)
    cache.put("a", "old")
    cache.put("b", "b")
    clock.advance(50)
    cache.put("a", "new")
    cache.put("c", "c")  # evicts b, the least recently used
    clock.advance(50)
    assert cache.get_many("abc") == {"a": "new", "c": "c"}


def test_delete_and_clear() -> None:
    cache = TtlCache[str](10, 60, clock=FakeClock())
    cache.put_many({"a": "1", "b": "2", "c": "3"})
    assert cache.delete_many(["a", "b", "unknown"]) == 2
    assert cache.delete_many(["a"]) == 0
    cache.clear()
    assert len(cache) == 0


def test_size_zero_keeps_nothing() -> None:
    cache = TtlCache[str](0, 60)
    cache.put("a", "1")
    assert cache.get("a") is None


@pytest.mark.parametrize(("max_size", "ttl_s"), [(-1, 60), (10, 0), (10, -1)])
def test_limits_that_cannot_work_are_refused(max_size: int, ttl_s: float) -> None:
    with pytest.raises(ConfigurationError):
        TtlCache[str](max_size, ttl_s)


def test_churn_keeps_the_size_bounded() -> None:
    cache = TtlCache[int](1000, 60)
    for number in range(100_000):
        cache.put(str(number), number)
        cache.get(str(number // 2))
    assert len(cache) == 1000
