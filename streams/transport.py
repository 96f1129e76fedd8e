"""A faust transport whose consumer's fetch wait is a setting.

faust-streaming's aiokafka driver builds its ``AIOKafkaConsumer`` with
``fetch_max_wait_ms=1500``, so an idle partition holds every hop for up to
1.5 s. This transport is the stock one with that single value made
configurable; it is registered as the ``mangaassist-kafka://`` broker scheme
through the ``faust.transports`` entry point in ``pyproject.toml``.
"""

from __future__ import annotations

from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka

from streams.exceptions import StreamsError
from streams.settings import KafkaSettings


class TunedConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> Any:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka reads this attribute when start() builds its Fetcher, which
        # happens after this method returns.
        if not hasattr(consumer, "_fetch_max_wait_ms"):
            raise StreamsError("this aiokafka version has no _fetch_max_wait_ms to tune")
        consumer._fetch_max_wait_ms = fetch_max_wait_ms(self.app)
        return consumer


class TunedConsumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> TunedConsumerThread:
        return TunedConsumerThread(self, loop=self.loop, beacon=self.beacon)


class Transport(faust_aiokafka.Transport):
    Consumer = TunedConsumer


def fetch_max_wait_ms(app: Any) -> int:
    """The app's configured wait, or the settings default for apps made elsewhere."""
    from streams.app import MangaAssistApp  # the app module imports this one's scheme

    settings = app.kafka_settings if isinstance(app, MangaAssistApp) else KafkaSettings()
    return settings.fetch_max_wait_ms
