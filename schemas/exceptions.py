"""Errors of the event contracts: schema lookup, encoding, decoding, evolution."""

from mangaassist.errors import MangaAssistError


class SchemaError(MangaAssistError):
    """Base class for schema and serialization errors."""


class UnknownSchemaError(SchemaError):
    """No schema is known under that name or id."""


class EncodeError(SchemaError):
    """An event could not be written with its schema."""


class DecodeError(SchemaError):
    """Bytes could not be read as an event (bad framing, unknown id, bad data)."""


class IncompatibleSchemaError(SchemaError):
    """A new schema version cannot read data written with an older one."""


class RegistryError(SchemaError):
    """The schema registry could not be reached or refused a request."""
