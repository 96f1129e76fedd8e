"""The intent labels. Other tools depend on these exact strings."""

INTENTS: tuple[str, ...] = (
    "product_discovery",
    "product_question",
    "faq",
    "order_tracking",
    "return_request",
    "promotion",
    "recommendation",
    "checkout_help",
    "escalation",
    "chitchat",
)
