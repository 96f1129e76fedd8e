import pytest

from agents import templates
from agents.intent import INTENTS
from agents.text import JAPANESE_RE


def test_every_intent_has_a_template() -> None:
    assert set(templates.BY_INTENT) == set(INTENTS)


@pytest.mark.parametrize(
    "template",
    [
        *(templates.BY_INTENT[intent] for intent in INTENTS if intent != "escalation"),
        templates.REPHRASE,
        templates.CONNECTING,
        templates.PRODUCTS_FOUND,
        templates.ERROR,
    ],
)
def test_each_language_speaks_its_own_script(template: templates.Bilingual) -> None:
    assert JAPANESE_RE.search(template.render("ja"))
    assert template.render("en")
    assert not JAPANESE_RE.search(template.render("en"))


@pytest.mark.parametrize("template", [templates.SIGN_IN_FOR_ORDERS, templates.ORDER_NOT_FOUND])
def test_order_templates_speak_each_language(template: templates.Bilingual) -> None:
    assert JAPANESE_RE.search(template.render("ja", order_id="250-1234567-7654321"))
    assert not JAPANESE_RE.search(template.render("en", order_id="250-1234567-7654321"))


def test_render_fills_in_values() -> None:
    assert "250-1234567-7654321" in templates.ORDER_NOT_FOUND.render(
        "ja", order_id="250-1234567-7654321"
    )
    assert "order X-1 on your account" in templates.ORDER_NOT_FOUND.render("en", order_id="X-1")


def test_sentences_join_without_spaces_in_japanese() -> None:
    assert templates.join_sentences("ja", "はい。", "", "いいえ。") == "はい。いいえ。"
    assert templates.join_sentences("en", "Yes.", "", "No.") == "Yes. No."
