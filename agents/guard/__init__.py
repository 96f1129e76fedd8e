"""The six-stage bilingual guardrail: PII, prompt injection, toxicity, competitors,
grounding, and length and format, for shoppers' messages and the assistant's replies.

```python
guard = Guard(GuardSettings())
verdict = guard.check(text, "input")            # allow / mask / block
stream = StreamGuard(guard, GroundingContext(asins=("B07S9CJ8GX",)))
for chunk in chunks:
    pieces = stream.feed(chunk)                 # checked sentences, safe to show
pieces = stream.close()
```

See ``docs/guardrails.md``.
"""

from agents.guard.exceptions import GuardError
from agents.guard.facts import FactSource, ItemFacts, OrderFacts, SeriesFacts, StoreFacts
from agents.guard.guard import Guard
from agents.guard.model import (
    CATEGORIES,
    Category,
    Direction,
    Finding,
    GroundingContext,
    SafePiece,
    Verdict,
)
from agents.guard.settings import GuardSettings
from agents.guard.stream import StreamGuard

__all__ = [
    "CATEGORIES",
    "Category",
    "Direction",
    "FactSource",
    "Finding",
    "GroundingContext",
    "Guard",
    "GuardError",
    "GuardSettings",
    "ItemFacts",
    "OrderFacts",
    "SafePiece",
    "SeriesFacts",
    "StoreFacts",
    "StreamGuard",
    "Verdict",
]
