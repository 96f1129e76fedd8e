"""The contract's ``services`` fixture: in-process, and the HTTP clients over the server in-process.

``asgi`` runs the HTTP clients against ``create_app`` through httpx's ASGI
transport (no socket); the integration tests run them over real HTTP.
"""

from collections.abc import AsyncIterator

import httpx
import pytest

from connectors.commerce import CommerceServices, http_services, local_services
from connectors.commerce.server import create_app
from tests.unit.connectors.commerce.helpers import Demo


@pytest.fixture(scope="session")
def demo() -> Demo:
    return Demo()


@pytest.fixture(params=["local", "asgi"])
async def services(request: pytest.FixtureRequest) -> AsyncIterator[CommerceServices]:
    if request.param == "local":
        built = local_services()
    else:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app()), base_url="http://commerce"
        )
        built = http_services(client, owns_client=True)
    yield built
    await built.aclose()
