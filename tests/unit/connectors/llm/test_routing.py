import pytest

from connectors.llm import (
    Complexity,
    LlmSettings,
    assess_complexity,
    choose_model,
    usage_cost,
)
from connectors.llm.routing import count_question_parts
from connectors.llm.settings import DEFAULT_LARGE_MODEL, DEFAULT_SMALL_MODEL, LOCAL_MODEL
from mangaassist.errors import ConfigurationError
from schemas.events import ContextItem

BEDROCK = LlmSettings(provider="bedrock")


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Where is my order?", 1),
        ("Can I return it? And how long does shipping take?", 2),
        ("Where is my order and also can I change the address", 2),
        ("送料はいくらですか？それと、返品はできますか？", 3),
        ("おすすめの漫画を教えて", 1),
        ("What?!?", 1),
    ],
)
def test_question_parts(question: str, parts: int) -> None:
    assert count_question_parts(question) == parts


def test_simple_turns_go_to_the_small_model() -> None:
    choice = choose_model("faq", Complexity(), BEDROCK)
    assert (choice.model, choice.tier) == (DEFAULT_SMALL_MODEL, "small")


@pytest.mark.parametrize(
    ("intent", "complexity", "reason"),
    [
        ("recommendation", Complexity(), "intent recommendation"),
        ("faq", Complexity(question_parts=2), "2 question parts"),
        ("faq", Complexity(context_tokens=1500), "long context (1500 tokens)"),
    ],
)
def test_complex_turns_go_to_the_large_model(
    intent: str, complexity: Complexity, reason: str
) -> None:
    choice = choose_model(intent, complexity, BEDROCK)
    assert (choice.model, choice.tier, choice.reason) == (DEFAULT_LARGE_MODEL, "large", reason)


def test_assess_complexity_measures_context() -> None:
    long_item = ContextItem(source="kb", ref_id="x", title="t", text="word " * 2000, score=1)
    complexity = assess_complexity("Where? And when?", [long_item])
    assert complexity.question_parts == 2
    assert complexity.context_tokens > 2000
    assert choose_model("faq", complexity, BEDROCK).tier == "large"


def test_the_local_provider_answers_as_the_local_model_for_both_tiers() -> None:
    settings = LlmSettings()
    assert choose_model("recommendation", Complexity(), settings).model == LOCAL_MODEL
    assert choose_model("faq", Complexity(), settings).model == LOCAL_MODEL
    assert choose_model("recommendation", Complexity(), settings).tier == "large"


def test_cost_from_the_price_table() -> None:
    usage = usage_cost(BEDROCK.prices, DEFAULT_SMALL_MODEL, 1000, 500)
    assert usage.cost_usd == pytest.approx(0.00025 + 0.5 * 0.00125)
    large = usage_cost(BEDROCK.prices, DEFAULT_LARGE_MODEL, 2000, 300)
    assert large.cost_usd == pytest.approx(2 * 0.003 + 0.3 * 0.015)
    assert (large.model, large.input_tokens, large.output_tokens) == (
        DEFAULT_LARGE_MODEL,
        2000,
        300,
    )
    assert usage_cost(BEDROCK.prices, LOCAL_MODEL, 10**6, 10**6).cost_usd == 0.0


def test_an_unpriced_model_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="no price"):
        usage_cost(BEDROCK.prices, "mystery-model", 1, 1)
