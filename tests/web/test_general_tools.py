"""The 범용 업무매뉴얼's 업무 도구 page (/assistants/general) in a real headless chromium:
asking to sign in first, reached from the chat, the 처리기한 computed with its skipped days
and cited basis, an API error shown beside the field it names, a pasted and an uploaded
draft checked into a table of findings, a clean draft answered as such; axe on each state,
screenshots at 1366 and 400 px (test-artifacts/screenshots/general-tools-*.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.services.container import Services
from tests.api.conftest import build_services
from tests.assistants.general.conftest import write_minwon_statute
from tests.web.conftest import require_browser

pytestmark = pytest.mark.browser

require_browser()

from selenium.webdriver.common.by import By  # noqa: E402

from tests.web.test_browser import (  # noqa: E402
    assert_accessible, assert_fits_the_screen, console_errors, css, open_page, sign_in, visible, wait_for)
from tests.web.test_layout import set_viewport  # noqa: E402

PAGE = "assistants/general"
STATUTE_TEXT = "시험용 조문: 처리기간이 6일 이상이면 일 단위로 계산하고 첫날을 산입한다."
DRAFT = "1. 회의 개최\n  가. 일시: 2026년 3월 5일 오후 2시\n  나. 장소: 본관 3층 회의실"
CLEAN_DRAFT = "1. 회의 개최\n  가. 일시: 2026. 3. 5. 14:00\n  나. 장소: 본관 3층 회의실"


@pytest.fixture(scope="module")
def web_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The web fixtures' server, with 민원 처리에 관한 법률 제19조 indexed in `general` so the
    basis quotes its text and 시행일자."""
    root = tmp_path_factory.mktemp("general-tools")
    write_minwon_statute(root / "corpus")
    svc = build_services(root, server={"ingest_on_start": False})
    yield svc
    svc.close()


def set_date(browser, selector: str, iso: str) -> None:
    # A date input's typed form follows the browser's locale; its value is always ISO.
    browser.execute_script("arguments[0].value = arguments[1]", css(browser, selector), iso)


def fill(browser, selector: str, text: str) -> None:
    box = css(browser, selector)
    box.clear()
    box.send_keys(text)


def result_text(browser, selector: str, contains: str) -> str:
    return wait_for(browser, lambda d: contains in css(d, selector).text and css(d, selector).text,
                    message=f"{selector}에 '{contains}'이(가) 나오지 않습니다")


def findings(browser) -> list[list[str]]:
    rows = browser.find_elements(By.CSS_SELECTOR, "#findings tbody tr")
    return [[cell.text for cell in row.find_elements(By.CSS_SELECTOR, "td")] for row in rows]


def shots(browser, screenshot, name: str, result: str) -> None:
    """Screenshots at a laptop's and a phone's width, scrolled to `result`; neither
    scrolls sideways."""
    for width, height in ((1366, 900), (400, 800)):
        set_viewport(browser, (width, height))
        assert_fits_the_screen(browser)
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", css(browser, result))
        screenshot(f"general-tools-{width}-{name}")
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# --- the scenarios (in order, on one browser session) ------------------------------------------

def test_signed_out_the_page_asks_to_sign_in(browser, live_server):
    notice = open_page(browser, live_server, PAGE, "#signin-needed")
    link = notice.find_element(By.CSS_SELECTOR, "a")
    # …and back here once signed in (tests/web/test_childcare_page.py follows the link).
    assert link.get_attribute("href") == f"{live_server.url}/#/login?next=/assistants/general"
    assert "로그인" in notice.text


def test_the_general_chat_links_to_its_tools(browser, live_server, screenshot):
    sign_in(browser, live_server)
    open_page(browser, live_server, "#/chat/general", "#chat-title")
    link = visible(browser, ".tools-link")
    assert link.text == "업무 도구"
    screenshot("general-tools-1366-chat-link")
    link.click()
    visible(browser, "#deadline-form")
    assert browser.current_url == f"{live_server.url}/assistants/general"
    assert css(browser, "#signin-needed").is_displayed() is False
    wait_for(browser, lambda d: css(d, "#user-name").text == "admin", message="로그인한 사용자가 나오지 않습니다")
    assert_accessible(browser, "업무 도구 화면")
    # Each chat shows the link exactly when the server names a page for its assistant.
    listed = browser.execute_async_script(
        "const done = arguments[0]; fetch('/api/assistants').then((r) => r.json())"
        ".then((list) => done(list.map((a) => [a.name, a.title, a.page || null])));")
    for name, title, page in listed:
        open_page(browser, live_server, f"#/chat/{name}", "#chat-title")
        wait_for(browser, lambda d: css(d, "#chat-title").text == title)
        links = browser.find_elements(By.CSS_SELECTOR, ".tools-link")
        assert [link.get_attribute("href").removeprefix(live_server.url) for link in links] == ([page] if page else []), name


def test_the_deadline_skips_the_holidays_and_cites_its_basis(browser, live_server, screenshot):
    open_page(browser, live_server, PAGE, "#deadline-form")
    set_date(browser, "#received-date", "2026-02-12")
    fill(browser, "#period", "7일")
    css(browser, "#deadline-submit").click()

    due = result_text(browser, "#due-value", "2026-02-25")
    assert due == "2026-02-25 (수)까지"
    skipped = css(browser, "#skipped-list").text
    assert "2026-02-17 (화): 공휴일(설날)" in skipped and "2026-02-16 (월): 공휴일(설날 전날)" in skipped
    basis = css(browser, "#deadline-result .basis-list")
    assert "민원 처리에 관한 법률 제19조제2항" in basis.text and "시행일자 2025-01-01" in basis.text
    quote = basis.find_element(By.CSS_SELECTOR, "details")
    assert STATUTE_TEXT not in quote.text  # folded until asked for
    quote.find_element(By.CSS_SELECTOR, "summary").click()
    assert STATUTE_TEXT in quote.text
    assert_accessible(browser, "처리기한 결과")
    shots(browser, screenshot, "deadline", "#deadline-result")


def test_an_excluded_period_is_not_counted(browser, live_server):
    open_page(browser, live_server, PAGE, "#deadline-form")
    set_date(browser, "#received-date", "2026-02-12")
    browser.execute_script("arguments[0].value = '15:00'", css(browser, "#received-time"))
    fill(browser, "#period", "3일")
    css(browser, "#add-exclude").click()
    set_date(browser, ".exclude-row .exclude-from", "2026-02-13")
    # Each row's fields say which row they belong to (for screen readers; the eye sees the row).
    assert css(browser, ".exclude-row label").get_attribute("textContent") == "제외 기간 1 시작일"
    css(browser, "#deadline-submit").click()

    assert result_text(browser, "#due-value", "2026-02-23") == "2026-02-23 (월) 15:00까지"
    assert "2026-02-13 (금): 제외 기간" in css(browser, "#skipped-list").text
    assert "시간 단위" in css(browser, "#deadline-result .due-unit").text


def test_an_unreadable_period_is_named_beside_its_field(browser, live_server, screenshot):
    open_page(browser, live_server, PAGE, "#deadline-form")
    set_date(browser, "#received-date", "2026-02-12")
    fill(browser, "#period", "칠일")
    css(browser, "#deadline-submit").click()

    error = result_text(browser, "#period-error", "칠일")
    assert "읽을 수 없습니다" in error and not error.startswith("period:")
    assert css(browser, "#period").get_attribute("aria-invalid") == "true"
    assert browser.switch_to.active_element == css(browser, "#period")
    assert css(browser, "#received-error").text == "" and css(browser, "#deadline-result").text == ""
    assert_accessible(browser, "처리기간 오류")
    screenshot("general-tools-1366-period-error")

    fill(browser, "#period", "7일")
    css(browser, "#deadline-submit").click()
    result_text(browser, "#due-value", "2026-02-25")
    assert css(browser, "#period-error").text == "" and css(browser, "#period").get_attribute("aria-invalid") is None


def test_a_pasted_draft_gets_its_date_and_time_findings(browser, live_server, screenshot):
    open_page(browser, live_server, PAGE, "#check-form")
    fill(browser, "#draft-text", DRAFT)
    css(browser, "#check-submit").click()

    visible(browser, "#findings")
    rows = findings(browser)
    assert [(r[0], r[1], r[2]) for r in rows] == [("2", "날짜", "2026년 3월 5일"), ("2", "시각", "오후 2시")]
    assert [r[3].splitlines()[0] for r in rows] == ["2026. 3. 5.", "14:00"]
    assert all("행정업무의 운영 및 혁신에 관한 규정 제7조제5항" in r[4] for r in rows)
    assert css(browser, "#findings thead").text.split() == ["줄", "규칙", "원문", "고칠", "점", "근거"]
    assert_accessible(browser, "공문서 검토 결과")
    shots(browser, screenshot, "check", "#check-result")


def test_a_clean_draft_gets_no_finding(browser, live_server):
    open_page(browser, live_server, PAGE, "#check-form")
    fill(browser, "#draft-text", CLEAN_DRAFT)
    css(browser, "#check-submit").click()
    assert result_text(browser, "#check-result", "지적할 점").endswith("지적할 점이 없습니다.")
    assert browser.find_elements(By.CSS_SELECTOR, "#findings") == []


def test_an_uploaded_draft_is_checked_and_a_wrong_file_is_named(browser, live_server, tmp_path: Path):
    open_page(browser, live_server, PAGE, "#check-form")
    draft = tmp_path / "초안.txt"
    draft.write_text(DRAFT, encoding="utf-8")
    css(browser, "#draft-file").send_keys(str(draft))
    css(browser, "#check-submit").click()
    visible(browser, "#findings")
    assert [r[1] for r in findings(browser)] == ["날짜", "시각"]

    fake = tmp_path / "초안.docx"
    fake.write_text("DOCX가 아닌 글", encoding="utf-8")
    open_page(browser, live_server, PAGE, "#check-form")
    css(browser, "#draft-file").send_keys(str(fake))
    css(browser, "#check-submit").click()
    error = wait_for(browser, lambda d: css(d, "#draft-file-error").text, message="파일 오류가 나오지 않습니다")
    assert "초안.docx" in error or "DOCX" in error
    assert css(browser, "#draft-file").get_attribute("aria-invalid") == "true"
    assert css(browser, "#check-result").text == ""


def test_an_empty_form_says_what_is_missing(browser, live_server):
    open_page(browser, live_server, PAGE, "#check-form")
    css(browser, "#check-submit").click()
    assert "붙여 넣거나 파일을" in result_text(browser, "#draft-text-error", "초안")
    css(browser, "#deadline-submit").click()
    assert result_text(browser, "#received-error", "접수일") == "접수일을 입력하세요."


def test_no_script_errors_or_policy_violations_were_logged(browser):
    # The browser logs each 400 the tests asked for (칠일, the false DOCX); nothing else.
    logged = console_errors(browser)  # read once: the browser hands each line out once
    refused = [m for m in logged if "/api/assistants/general/" in m and "status of 400" in m]
    assert len(refused) == 2 and [m for m in logged if m not in refused] == []
