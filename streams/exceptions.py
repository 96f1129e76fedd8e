"""Errors of the streaming layer: the broker and the topic plumbing."""

from mangaassist.errors import MangaAssistError


class StreamsError(MangaAssistError):
    """Base class for streaming errors."""


class BrokerError(StreamsError):
    """The Kafka broker refused or failed a request."""


class BrokerStartError(BrokerError):
    """The local broker process could not be started."""
