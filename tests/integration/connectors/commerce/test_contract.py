"""The store services' contract, in-process and over real HTTP (see ``conftest.services``)."""

from tests.unit.connectors.commerce.test_contract import *  # noqa: F403
