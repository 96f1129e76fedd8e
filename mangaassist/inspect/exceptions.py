"""Errors of the operator tools: each names what was asked for and why it cannot be done.

``mangaassist`` prints them as one line and exits with 2 (see ``mangaassist.cli``)::

    InspectionError
    ├── UnknownTopic        a topic the broker does not have
    ├── NothingFound        no events for the session, time range or offsets asked for
    ├── CorruptRecord       a record the tool needs cannot be decoded
    ├── UnknownDeadLetter   a dead letter id that is not on chat.deadletter
    ├── RedriveError        a dead letter that cannot be sent back as asked
    └── ReplayError         a replay that cannot run
        └── SandboxError    the sandbox (topics, worker) failed
"""

from mangaassist.errors import MangaAssistError


class InspectionError(MangaAssistError):
    """A topic, time range or session that does not exist, or a broker that cannot be read."""


class UnknownTopic(InspectionError):
    """The broker has no topic of that name."""


class NothingFound(InspectionError):
    """The topic exists but nothing on it matches the session, time range or offsets."""


class CorruptRecord(InspectionError):
    """A record that cannot be decoded where the tool needs its content."""


class UnknownDeadLetter(InspectionError):
    """No dead letter on chat.deadletter has that event id."""


class RedriveError(InspectionError):
    """A dead letter cannot be sent back to its source topic as asked."""


class ReplayError(InspectionError):
    """A replay that cannot run: bad options, nothing to replay."""


class SandboxError(ReplayError):
    """The replay's sandbox topics or worker failed."""
