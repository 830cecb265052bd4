"""What the assistants' API tests share: a signed-in staff member's client on the server
over the module's own `services` fixture."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from tests.api.conftest import login


@pytest.fixture
def staff(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services, start_background=False)) as client:
        login(client, "kim")
        yield client
