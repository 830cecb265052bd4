"""Saved 검진 결과 분류 on the page (/assistants/metabolic) in a real headless chromium: with
metabolic.store_history off nothing of it shows and nothing is kept; with it on (a test
Fernet key) "이 결과 저장" with a label beside 분류하기 keeps the result, the "저장한 기록" list
shows it by date and label, opens it into the form and the card, and deletes it after a
confirm (a cancel keeps it); no sideways scroll at 400 px. Screenshots:
test-artifacts/screenshots/metabolic-history-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text

from api.services.container import Services
from rag.config.settings import MetabolicSettings
from tests.api.conftest import build_services
from tests.web.conftest import require_browser

pytestmark = pytest.mark.browser

require_browser()

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402

from tests.web.test_browser import (  # noqa: E402
    assert_accessible, assert_fits_the_screen, console_errors, css, open_page, sign_in, visible, wait_for)
from tests.web.test_layout import set_viewport  # noqa: E402

PAGE = "assistants/metabolic"
KEY = Fernet.generate_key().decode()
LABEL = "3층 상담실 오후 1번"
#: A man with two risk factors (허리둘레 95, 중성지방 160): 건강주의군.
RECORD = {"f-id": "H-1", "f-age": "47", "f-waist": "95", "f-sys": "120", "f-dia": "80", "f-fbg": "90", "f-tg": "160",
          "f-hdl": "55"}


@pytest.fixture(scope="module")
def web_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The web fixtures' server with saved history on (the criteria: the built-in table)."""
    svc = build_services(tmp_path_factory.mktemp("metabolic-history-page"), server={"ingest_on_start": False},
                         metabolic={"store_history": True, "history_key": KEY})
    yield svc
    svc.close()


def saved_rows(services: Services) -> int:
    with services.db.engine.connect() as connection:
        return connection.execute(text("SELECT COUNT(*) FROM metabolic_assessments")).scalar_one()


def new_form(browser, live_server) -> None:
    open_page(browser, live_server, PAGE, "#record-form")
    wait_for(browser, lambda d: css(d, "#user-name").text, message="로그인한 사용자가 나오지 않습니다")
    # The page has heard from GET …/history whether the server keeps results.
    wait_for(browser, lambda d: css(d, "#record-form").get_attribute("data-saving"),
             message="저장 설정을 읽지 못했습니다")
    Select(css(browser, "#f-sex")).select_by_value("남")


def fill(browser, values: dict[str, str]) -> None:
    for input_id, value in values.items():
        box = css(browser, f"#{input_id}")
        box.clear()
        box.send_keys(value)


def history_items(browser) -> list[list[str]]:
    return [[item.find_element(By.CSS_SELECTOR, ".history-when").text,
             item.find_element(By.CSS_SELECTOR, ".history-label").text]
            for item in browser.find_elements(By.CSS_SELECTOR, "#history-list .history-item")]


def test_with_saving_off_nothing_of_it_shows_and_nothing_is_kept(browser, live_server, web_services: Services,
                                                                 monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(web_services.settings, "metabolic", MetabolicSettings())
    sign_in(browser, live_server, "kim")
    new_form(browser, live_server)
    assert css(browser, "#record-form").get_attribute("data-saving") == "off"
    assert not css(browser, "#save-controls").is_displayed() and not css(browser, "#f-save").is_displayed()
    assert not css(browser, "#history").is_displayed()
    assert "참여자의 기록은 저장하지 않습니다." in css(browser, "main .hint").text
    assert "저장" not in css(browser, ".form-actions").text
    fill(browser, RECORD)
    css(browser, "#assess-submit").click()
    assert visible(browser, "#group-badge").text == "건강주의군"
    assert saved_rows(web_services) == 0


def test_a_result_is_saved_with_its_label_and_listed(browser, live_server, web_services: Services, screenshot):
    new_form(browser, live_server)
    assert css(browser, "#record-form").get_attribute("data-saving") == "on"
    assert "“이 결과 저장”을 고른 경우에만 암호화해 저장합니다" in css(browser, "main .hint").text
    assert "저장한 기록은 365일이 지나면 자동으로 파기합니다" in css(browser, "main .hint").text
    visible(browser, "#history")
    assert css(browser, "#history-list").text == "저장한 기록이 없습니다."
    label = css(browser, "#f-save-label")
    assert css(browser, "label[for='f-save']").text == "이 결과 저장" and not label.is_enabled()

    fill(browser, RECORD)
    css(browser, "#assess-submit").click()  # not ticked: classified, not kept
    visible(browser, "#group-badge")
    assert saved_rows(web_services) == 0

    css(browser, "#f-save").click()
    label.send_keys(LABEL)
    css(browser, "#assess-submit").click()
    wait_for(browser, lambda d: history_items(d), message="저장한 기록이 목록에 나오지 않습니다")
    assert saved_rows(web_services) == 1
    ((when, name),) = history_items(browser)
    assert name == LABEL and re.fullmatch(r"20\d\d-\d\d-\d\d \d\d:\d\d", when)
    assert css(browser, "#save-status").text.startswith("결과를 저장했습니다")
    # The choice is cleared: the next participant is not saved by accident.
    assert not css(browser, "#f-save").is_selected() and css(browser, "#f-save-label").get_attribute("value") == ""
    assert_accessible(browser, "저장한 기록")
    for width, height in ((1366, 900), (400, 800)):
        set_viewport(browser, (width, height))
        try:
            assert_fits_the_screen(browser)
            browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", css(browser, "#history"))
            screenshot(f"metabolic-history-{width}-list")
            browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", css(browser, "#assess-submit"))
            screenshot(f"metabolic-history-{width}-save")
        finally:
            browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_a_saved_result_opens_into_the_form_and_the_card(browser, live_server):
    css(browser, "#form-reset").click()
    assert css(browser, "#f-waist").get_attribute("value") == ""
    css(browser, "#history-list .history-open").click()
    origin = visible(browser, "#result-origin")
    assert origin.text.startswith(f"저장한 기록: {LABEL} (20")
    assert css(browser, "#group-badge").text == "건강주의군"
    assert [css(browser, f"#{i}").get_attribute("value") for i in ("f-id", "f-sex", "f-waist", "f-tg")] == \
        ["H-1", "남", "95", "160"]


def test_a_saved_result_is_deleted_after_a_confirm(browser, live_server, web_services: Services):
    css(browser, "#history-list .history-delete").click()
    alert = wait_for(browser, lambda d: d.switch_to.alert, message="삭제 확인 창이 나오지 않습니다")
    assert f"“{LABEL}”" in alert.text and "되돌릴 수 없습니다" in alert.text
    alert.dismiss()  # cancelled: kept
    assert len(history_items(browser)) == 1 and saved_rows(web_services) == 1

    css(browser, "#history-list .history-delete").click()
    wait_for(browser, lambda d: d.switch_to.alert).accept()
    wait_for(browser, lambda d: css(d, "#history-list").text == "저장한 기록이 없습니다.",
             message="지운 기록이 목록에 남아 있습니다")
    assert saved_rows(web_services) == 0
    assert browser.switch_to.active_element == css(browser, "#history-title")


def test_no_script_errors_were_logged(browser):
    assert console_errors(browser) == []
