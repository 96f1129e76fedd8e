"""What of an event may reach the warehouse: free text with personal data masked, no raw bytes.

Analysts need the words a shopper used, not their email address or card
number. A dead letter's raw payload is the undecodable message itself, which
may hold anything; the warehouse keeps its size and digest, and operators read
the message from the dead-letter topic (``mangaassist dump chat.deadletter``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from agents.guardrail import mask_pii

# Event fields that hold text a person typed or a reply quoting it.
FREE_TEXT_FIELDS = frozenset({"text", "summary", "comment", "error_message"})


def redact(event: Mapping[str, Any]) -> dict[str, Any]:
    """``event`` (a ``model_dump``, or the record Avro decodes to) with free text masked and
    raw bytes replaced by a digest."""
    clean: dict[str, Any] = {}
    for name, value in event.items():
        if isinstance(value, bytes):
            clean[f"{name}_bytes"] = len(value)
            clean[f"{name}_sha256"] = hashlib.sha256(value).hexdigest()
        elif name in FREE_TEXT_FIELDS and isinstance(value, str) and _may_hold_pii(value):
            clean[name] = mask_pii(value)[0]
        else:
            clean[name] = value
    return clean


def _may_hold_pii(text: str) -> bool:
    # Every pattern mask_pii looks for has a digit or an @: most texts skip the regexes.
    return "@" in text or any(char.isdigit() for char in text)
