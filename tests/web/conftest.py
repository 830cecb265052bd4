"""A real server and a real browser for the web UI: uvicorn in a thread on a free port,
serving the app on fakes (tests/api/conftest.build_services), and Debian's headless
chromium driven by selenium through /usr/bin/chromedriver (selenium-manager never runs:
nothing is downloaded). Accessibility is checked with axe-core, whose axe.min.js comes
inside the `axe-core-python` wheel (the dev extra) and is injected from disk."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.app import create_app
from api.services.container import Services
from tests.api.conftest import PASSWORD, build_services
from tests.fakes.live_server import LiveServer

CHROMIUM = Path(os.environ.get("WEB_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("WEB_TEST_CHROMEDRIVER", "/usr/bin/chromedriver"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
WINDOW = (1366, 768)


def _axe_script() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("axe_core_python")
    folder = Path(spec.origin).parent if spec and spec.origin else Path("/nonexistent")
    return folder / "axe.min.js"


AXE_SCRIPT = _axe_script()
#: The WCAG 2.1 A/AA rules and axe's best practices (landmarks, one h1, …).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
#: What a test fails on; "moderate" and "minor" findings are reported, not failed.
AXE_BLOCKING = ("serious", "critical")


def missing_browser() -> str:
    """Why the browser tests cannot run here ('' when they can)."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium이 설치되어 있지 않습니다 (pip install -e '.[dev]')"
    if not AXE_SCRIPT.is_file():
        return "axe-core-python이 설치되어 있지 않습니다 (pip install -e '.[dev]')"
    for path in (CHROMIUM, CHROMEDRIVER):
        if not (path.is_file() and os.access(path, os.X_OK)):
            return f"{path}가 없습니다 (apt-get install chromium chromium-driver)"
    return ""


def require_browser() -> None:
    """Called at the top of each browser test module: without a browser the module is
    skipped with the reason, except under CI, where that is a failure (CI installs it)."""
    missing = missing_browser()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"브라우저 테스트를 실행할 수 없습니다: {missing}", pytrace=False)
        pytest.skip(f"브라우저 테스트를 건너뜁니다: {missing}", allow_module_level=True)


@pytest.fixture(scope="module")
def web_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    # One generation slot, as with the embedded CPU model: a test can hold it and watch
    # the page show the queue position.
    svc = build_services(tmp_path_factory.mktemp("web"), server={"generation_slots": 1, "ingest_on_start": False})
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def live_server(web_services: Services) -> Iterator[LiveServer]:
    with LiveServer(create_app(web_services, start_background=False)) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="seoul-assist-chromium-")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-extensions", "--lang=ko-KR", f"--window-size={WINDOW[0]},{WINDOW[1]}",
                f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(20)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def screenshot(browser):
    """screenshot("name") saves test-artifacts/screenshots/<name>.png (a 1366×768 window)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        browser.save_screenshot(str(path))
        return path

    return take


def axe_run(browser, context: object = None) -> dict:
    """axe-core's results for the page as it is now (`context`: what to check, axe's
    syntax; default the whole document)."""
    if not browser.execute_script("return typeof window.axe === 'object'"):
        browser.execute_script(AXE_SCRIPT.read_text(encoding="utf-8"))
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(arguments[0] || document, arguments[1]).then(done, (e) => done({error: String(e)}));",
        context, {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})


def axe_problems(browser, context: object = None) -> list[str]:
    """One line per serious or critical violation: rule, impact, the first offending
    elements and axe's summary of what to fix."""
    results = axe_run(browser, context)
    assert "error" not in results, results.get("error")
    lines = []
    for v in results["violations"]:
        if v.get("impact") not in AXE_BLOCKING:
            continue
        for node in v["nodes"][:3]:
            lines.append(f"{v['id']} ({v['impact']}): {' '.join(map(str, node['target']))} — "
                         f"{node.get('failureSummary', '').splitlines()[-1].strip()}")
    return lines


__all__ = ["PASSWORD", "LiveServer", "axe_problems", "missing_browser"]
