"""Errors of the guard."""

from agents.exceptions import StageError


class GuardError(StageError):
    """The guard's labelled cases or its settings cannot be used."""
