"""Errors of the store's services.

Every implementation (local, HTTP, Amazon Personalize) raises these and only
these, each wrapping the dependency's error with ``raise ... from exc``::

    CommerceError
    ├── ServiceUnavailable   connect errors, timeouts, 5xx, 408/429, unusable answers
    ├── NotFound             404: unknown user, someone else's or unknown order, ...
    └── ServiceRejected      any other 4xx: a request the service will not serve
"""

from __future__ import annotations

from mangaassist.errors import MangaAssistError


class CommerceError(MangaAssistError):
    """A store service failed to answer, or answered that it cannot.

    ``service`` names the service ("catalog", "orders", ...), ``status`` the
    HTTP status when there was one, and ``code`` the service's error code
    (``order_not_found``, ``not_eligible``, ...) when it gave one.
    """

    def __init__(
        self,
        message: str,
        *,
        service: str = "commerce",
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.service = service
        self.status = status
        self.code = code


class ServiceUnavailable(CommerceError):
    """The service cannot be reached, timed out or failed; a later retry may succeed."""


class NotFound(CommerceError):
    """What the request names does not exist, or does not belong to the caller."""


class ServiceRejected(CommerceError):
    """The service refused the request as it stands (a malformed argument, a return not allowed)."""
