"""The 영유아 보육행정 업무매뉴얼's own page (/assistants/childcare) is served with its script
and styles from the assistant's folder under the strict CSP (nothing inline, server text
never turned into markup), and /api/assistants points the chat to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import WEB_DIR, create_app
from api.services.container import Services
from tests.api.conftest import build_services, login
from tests.assistants.general.test_tools_page import _Assets
from tests.web.test_static_ui import _UNSAFE_JS

FOLDER = Path(__file__).resolve().parents[3] / "assistants" / "childcare"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = build_services(tmp_path_factory.mktemp("childcare_page"))
    yield svc
    svc.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services, start_background=False)) as c:
        yield c


def test_the_page_its_script_and_styles_are_served(client: TestClient):
    page = client.get("/assistants/childcare")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "별표 안내" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    parsed = _Assets()
    parsed.feed(page.text)
    assert parsed.inline == []
    assert parsed.fields and set(parsed.fields) <= parsed.labels
    assets = [u for u in parsed.urls if u.endswith((".js", ".css"))]
    assert set(assets) == {"/static/app.css", "/assistants/childcare/static/appendices.css",
                           "/assistants/childcare/static/appendices.js"}
    for url in assets:
        assert client.get(url).status_code == 200, url
    # Signed out, the page sends the user to sign in and back here.
    assert 'href="/#/login?next=/assistants/childcare"' in page.text


def test_the_script_imports_only_the_main_uis_modules_and_inserts_text_only():
    script = (FOLDER / "static" / "appendices.js").read_text(encoding="utf-8")
    assert _UNSAFE_JS.findall(script) == []
    imported = re.findall(r'from "([^"]+)"', script)
    assert imported and all(u.startswith("/static/") and (WEB_DIR / u.removeprefix("/")).is_file() for u in imported)
    # Uploads go through the core's document API, not an endpoint of this assistant's own.
    assert "/api/collections/" in script and "/documents" in script


def test_the_assistant_list_names_the_page(client: TestClient):
    login(client, "kim")
    pages = {a["name"]: a["page"] for a in client.get("/api/assistants").json()}
    assert pages["childcare"] == "/assistants/childcare"
