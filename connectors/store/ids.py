"""Identifier formats of the store: ASIN-like ids, ISBN-13 and order ids."""

from __future__ import annotations

ASIN_PATTERN = r"^B0[0-9A-Z]{8}$"
# Amazon.co.jp style: 250-1234567-7654321.
ORDER_ID_PATTERN = r"^\d{3}-\d{7}-\d{7}$"


def isbn13_check_digit(first_twelve: str) -> str:
    """The check digit that completes the twelve digits ``first_twelve`` into an ISBN-13."""
    total = sum(
        int(digit) * (3 if position % 2 else 1) for position, digit in enumerate(first_twelve)
    )
    return str(-total % 10)


def is_valid_isbn13(isbn: str) -> bool:
    return (
        len(isbn) == 13
        and isbn.isdigit()
        and isbn.startswith(("978", "979"))
        and isbn13_check_digit(isbn[:12]) == isbn[12]
    )
