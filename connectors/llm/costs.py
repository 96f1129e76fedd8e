"""What an answer costs, from the price table in the settings."""

from __future__ import annotations

from collections.abc import Mapping

from connectors.llm.models import Usage
from connectors.llm.settings import ModelPrice
from mangaassist.errors import ConfigurationError


def usage_cost(
    prices: Mapping[str, ModelPrice], model: str, input_tokens: int, output_tokens: int
) -> Usage:
    """``Usage`` with ``cost_usd = in/1000 * input_per_1k + out/1000 * output_per_1k``.

    Raises :class:`ConfigurationError` for a model with no price: an answer
    whose cost is unknown should not pass silently as free.
    """
    price = prices.get(model)
    if price is None:
        raise ConfigurationError(f"no price for model {model!r} in MANGAASSIST_LLM_PRICES")
    cost = input_tokens / 1000 * price.input_per_1k + output_tokens / 1000 * price.output_per_1k
    return Usage(model, input_tokens, output_tokens, round(cost, 8))
