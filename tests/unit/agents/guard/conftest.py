"""One guard for the whole directory: building it compiles patterns and loads the store."""

from __future__ import annotations

import pytest

from agents.guard import Guard, GuardSettings


@pytest.fixture(scope="session")
def guard() -> Guard:
    return Guard(GuardSettings())
