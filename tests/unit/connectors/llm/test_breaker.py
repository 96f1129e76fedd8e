import pytest

from connectors.llm import CircuitBreaker, LlmCircuitOpen
from mangaassist.errors import ConfigurationError
from tests.unit.connectors.llm.helpers import FakeClock


def test_opens_after_threshold_consecutive_failures() -> None:
    breaker = CircuitBreaker(3, 10.0, clock=FakeClock())
    for _ in range(2):
        assert breaker.acquire() is False
        breaker.record_failure()
    assert breaker.state == "closed"
    breaker.acquire()
    breaker.record_failure()
    assert breaker.state == "open"
    with pytest.raises(LlmCircuitOpen, match="3 failures in a row"):
        breaker.acquire()


def test_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker(2, 10.0, clock=FakeClock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert (breaker.state, breaker.consecutive_failures) == ("closed", 1)


def test_half_open_lets_exactly_one_trial_through() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(1, 10.0, clock=clock)
    breaker.record_failure()
    clock.advance(9.9)
    with pytest.raises(LlmCircuitOpen):
        breaker.acquire()
    clock.advance(0.1)
    assert breaker.state == "half_open"
    assert breaker.acquire() is True  # the trial
    with pytest.raises(LlmCircuitOpen, match="trial"):
        breaker.acquire()
    breaker.record_success(trial=True)
    assert breaker.state == "closed"
    assert breaker.acquire() is False


def test_a_failed_trial_opens_for_another_cool_down() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(5, 10.0, clock=clock)
    for _ in range(5):
        breaker.record_failure()
    clock.advance(10)
    trial = breaker.acquire()
    breaker.record_failure(trial)
    assert breaker.state == "open"
    clock.advance(9)
    with pytest.raises(LlmCircuitOpen):
        breaker.acquire()
    clock.advance(1)
    assert breaker.acquire() is True


def test_an_abandoned_trial_frees_the_slot() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(1, 1.0, clock=clock)
    breaker.record_failure()
    clock.advance(1)
    trial = breaker.acquire()
    breaker.abandon(trial)
    assert breaker.acquire() is True


@pytest.mark.parametrize(("threshold", "cooldown"), [(0, 1.0), (1, 0.0)])
def test_limits_that_cannot_work_are_refused(threshold: int, cooldown: float) -> None:
    with pytest.raises(ConfigurationError):
        CircuitBreaker(threshold, cooldown)
