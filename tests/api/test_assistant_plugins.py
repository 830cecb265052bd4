"""An assistant's own endpoints and page come from one folder: `<package>/<name>/web.py`
with a `router`, and `page.html` beside it."""

from __future__ import annotations

import importlib
import sys

from fastapi.testclient import TestClient

from api.app import create_app
from tests.api.conftest import login

WEB = '''
from fastapi import APIRouter, Depends
from api.deps import current_user

router = APIRouter()


@router.get("/hello")
def hello(user=Depends(current_user)) -> dict:
    return {"hello": user.username}
'''


def test_one_folder_adds_endpoints_and_a_page(tmp_path, services, monkeypatch):
    package = tmp_path / "plugin_assistants"
    (package / "demo").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "demo" / "__init__.py").write_text("")
    (package / "demo" / "web.py").write_text(WEB, encoding="utf-8")
    (package / "demo" / "page.html").write_text("<title>데모 도우미</title>\n<main id=\"main\">데모</main>\n",
                                               encoding="utf-8")
    (package / "plain").mkdir()
    (package / "plain" / "__init__.py").write_text("")  # no web module: nothing mounted
    monkeypatch.syspath_prepend(str(tmp_path))
    plugins = importlib.import_module("plugin_assistants")
    try:
        with TestClient(create_app(services, start_background=False, plugins=plugins)) as c:
            assert c.get("/api/assistants/demo/hello").status_code == 401
            login(c, "kim")
            assert c.get("/api/assistants/demo/hello").json() == {"hello": "kim"}
            page = c.get("/assistants/demo").text
            # In the shared frame: the site header, and no chat link (no assistant.yaml names it).
            assert "<title>데모 도우미 - 서울시 AI 업무 도우미</title>" in page
            assert 'aria-current="page">데모 도우미</a>' in page and "/#/chat/demo" not in page
            assert c.get("/api/assistants/plain/hello").status_code == 404
    finally:
        for name in [m for m in sys.modules if m.startswith("plugin_assistants")]:
            del sys.modules[name]
