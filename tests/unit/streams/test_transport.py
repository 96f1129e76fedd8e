"""The tuned transport: faust's hardcoded fetch wait becomes a setting."""

import pydantic
import pytest

from streams.app import create_app
from streams.settings import KafkaSettings
from streams.transport import TunedConsumer, TunedConsumerThread


async def test_worker_consumer_takes_the_configured_fetch_wait() -> None:
    app = create_app("pipeline", KafkaSettings(fetch_max_wait_ms=7))
    consumer = app.consumer
    assert isinstance(consumer, TunedConsumer)
    thread = consumer._thread
    assert isinstance(thread, TunedConsumerThread)
    kafka_consumer = thread._create_worker_consumer(app.transport)
    try:
        assert kafka_consumer._fetch_max_wait_ms == 7
    finally:
        await kafka_consumer.stop()
        thread.thread_loop.close()


def test_the_broker_url_selects_the_tuned_transport() -> None:
    settings = KafkaSettings(bootstrap_servers="a:9092, b:9093")
    assert settings.faust_broker_url == "mangaassist-kafka://a:9092;mangaassist-kafka://b:9093"


def test_a_zero_fetch_wait_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        KafkaSettings(fetch_max_wait_ms=0)
