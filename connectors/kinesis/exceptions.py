"""Errors of the Kinesis transport.

Errors raised by botocore are wrapped with ``raise ... from exc``::

    MangaAssistError
    └── KinesisError
        ├── KinesisUnavailable
        │   ├── KinesisPutFailed
        │   └── KinesisBufferFull
        ├── multilang.CheckpointError   (the KCL daemon could not checkpoint)
        └── multilang.ProtocolError     (the daemon sent an unreadable message)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from mangaassist.errors import MangaAssistError


class KinesisError(MangaAssistError):
    """Kinesis refused a request (missing stream, bad argument, oversized record)."""


class KinesisUnavailable(KinesisError):
    """Kinesis cannot be reached or keeps throttling; the same request may succeed later."""


class KinesisPutFailed(KinesisUnavailable):
    """Some records were still refused after every attempt of one flush.

    They are not dropped: they stay at the head of the producer's buffer and go
    out with the next flush. ``error_codes`` counts the per-record error codes of
    the last attempt; ``undelivered`` is how many records the producer still holds.
    """

    def __init__(self, message: str, error_codes: Mapping[str, int], undelivered: int) -> None:
        super().__init__(message)
        self.error_codes: Counter[str] = Counter(error_codes)
        self.undelivered = undelivered


class KinesisBufferFull(KinesisUnavailable):
    """The producer holds its maximum of undelivered records and takes no more for now."""
