"""Errors of the cache layer.

Reads never raise because a cache tier is down: Redis errors are counted and
the read falls through to the origin. What the origin raises reaches the caller
unchanged, as it would without a cache.
"""

from mangaassist.errors import MangaAssistError


class CacheError(MangaAssistError):
    """The cache layer was asked for something it cannot do (e.g. a bench without Redis)."""
