"""Kept for imports written before :mod:`mangaassist.inspect.exceptions` existed."""

from mangaassist.inspect.exceptions import InspectionError

__all__ = ["InspectionError"]
