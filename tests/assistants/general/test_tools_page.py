"""The 범용 업무매뉴얼's own page (/assistants/general) is served with its script and styles
from the assistant's folder, under the strict CSP (nothing inline, nothing from elsewhere,
server text never turned into markup), and /api/assistants points the chat to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import WEB_DIR, create_app
from api.services.container import Services
from tests.api.conftest import build_services, login
from tests.web.test_static_ui import _UNSAFE_JS

FOLDER = Path(__file__).resolve().parents[3] / "assistants" / "general"


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    svc = build_services(tmp_path_factory.mktemp("tools_page"))
    yield svc
    svc.close()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(create_app(services, start_background=False)) as c:
        yield c


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []
        self.fields: list[str] = []
        self.labels: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if "style" in a or tag == "style" or any(name.startswith("on") for name in a):
            self.inline.append(tag)
        if tag == "script" and not a.get("src"):
            self.inline.append("script")
        if tag in ("input", "textarea", "select"):
            self.fields.append(a.get("id") or "")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"] or "")
        self.urls += [a[name] or "" for name in ("src", "href") if a.get(name)]


def test_the_page_its_script_and_styles_are_served(client: TestClient):
    page = client.get("/assistants/general")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "민원 처리기한 계산" in page.text and "공문서 검토" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    parsed = _Assets()
    parsed.feed(page.text)
    assert parsed.inline == []
    assert parsed.fields and set(parsed.fields) <= parsed.labels
    assets = [u for u in parsed.urls if u.endswith((".js", ".css"))]
    assert set(assets) == {"/static/app.css", "/static/tool_page.css", "/assistants/general/static/tools.css",
                           "/assistants/general/static/tools.js"}
    for url in assets:
        served = client.get(url)
        assert served.status_code == 200, url
        assert served.headers["content-type"].split(";")[0] in ("text/javascript", "application/javascript",
                                                                "text/css"), url
    assert client.get("/assistants/general/static/nothing.js").status_code == 404


def test_the_script_imports_only_the_main_uis_modules_and_inserts_text_only():
    script = (FOLDER / "static" / "tools.js").read_text(encoding="utf-8")
    assert _UNSAFE_JS.findall(script) == []
    imported = re.findall(r'from "([^"]+)"', script)
    assert imported and all(u.startswith("/static/") and (WEB_DIR / u.removeprefix("/")).is_file() for u in imported)


def test_the_assistant_list_names_the_page(client: TestClient):
    login(client, "kim")
    pages = {a["name"]: a["page"] for a in client.get("/api/assistants").json()}
    assert pages["general"] == "/assistants/general"
    assert pages["childcare"] is None or client.get(pages["childcare"]).status_code == 200
