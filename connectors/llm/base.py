"""The protocol every language-model client follows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from connectors.llm.models import LlmEvent, LlmRequest


class LlmClient(Protocol):
    """Streams a model's answer: :class:`TextDelta` events, then exactly one :class:`LlmDone`.

    ``stream`` is an async generator, so the protocol declares it as a plain
    method returning an async iterator. Failures raise
    :class:`~connectors.llm.exceptions.LlmUnavailable` (retryable) or
    :class:`~connectors.llm.exceptions.LlmRejected` (not); closing the iterator
    early releases whatever the call holds (connection, worker thread).
    """

    def stream(self, request: LlmRequest) -> AsyncIterator[LlmEvent]:
        """The answer to ``request``, piece by piece."""
        ...

    async def aclose(self) -> None:
        """Release the connections and threads this client opened."""
        ...
