"""The payment error table stays consistent with the help centre."""

from pathlib import Path

from connectors.commerce.payments import PAYMENT_ERRORS, UNKNOWN_PAYMENT_ERROR, normalise_code

DOCS = Path(__file__).parents[4] / "connectors" / "knowledge" / "docs"


def test_every_hint_cites_a_help_page_that_exists() -> None:
    for rule in [*PAYMENT_ERRORS.values(), UNKNOWN_PAYMENT_ERROR]:
        doc = rule.help_doc_id
        assert (DOCS / "en" / f"{doc}.md").exists() or (DOCS / "ja" / f"{doc}.md").exists(), doc


def test_the_codes_the_assistant_meets_most_are_known() -> None:
    assert {"card_declined", "3ds_failed", "konbini_expired", "address_invalid"} <= set(
        PAYMENT_ERRORS
    )
    assert all(code == normalise_code(code) for code in PAYMENT_ERRORS)


def test_hints_match_the_help_pages_facts() -> None:
    assert "50,000" in PAYMENT_ERRORS["konbini_limit"].hint_ja
    assert "23:59" in PAYMENT_ERRORS["konbini_expired"].hint_en
    assert "3-D Secure" in PAYMENT_ERRORS["3ds_failed"].hint_en
