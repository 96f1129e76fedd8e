"""What the hand-off backends raise; all derive from :class:`HandoffError`."""

from mangaassist.errors import MangaAssistError


class HandoffError(MangaAssistError):
    """A hand-off to a person could not be made or changed."""


class HandoffUnavailable(HandoffError):
    """The backend (Redis, Amazon Connect) could not be reached or answered with a
    transient error: trying again later may work."""


class HandoffRejected(HandoffError):
    """The backend refused the hand-off (bad parameters, no permission): retrying will not help."""


class TicketNotFound(HandoffError):
    """No ticket has this id (never queued, or expired)."""


class TicketConflict(HandoffError):
    """The ticket is not in a state that allows this: claimed by another agent, or closed."""
