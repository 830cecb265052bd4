"""The 영유아 보육행정 업무매뉴얼's own page (/assistants/childcare, 별표 안내) in a real headless
chromium: signed out it asks to sign in and, after signing in, comes back (as the general
assistant's page does); staff see the 별표 of the indexed statutes by law with their
articles, link and status, and no upload control; an admin uploads a 별표's file through
the core's upload API, renamed so it counts as that 별표, and sees it indexed; a sample
question opens the chat with it. axe on each state, screenshots at 1366 and 400 px
(test-artifacts/screenshots/childcare-page-*.png)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from api.services.container import Services
from rag.answer.appendices import appendix_indexed_in
from tests.api.conftest import build_services
from tests.assistants.childcare.conftest import index_childcare_statutes
from tests.web.conftest import PASSWORD, require_browser

pytestmark = pytest.mark.browser

require_browser()

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from tests.web.test_browser import (  # noqa: E402
    assert_accessible, assert_fits_the_screen, console_errors, css, open_page, visible, wait_for)
from tests.web.test_layout import set_viewport  # noqa: E402

PAGE = "assistants/childcare"
RULE = "영유아보육법 시행규칙"
SAMPLE = "보육교사 자격은 어떻게 취득하나요?"  # one of assistant.yaml's sample_questions


@pytest.fixture(scope="module")
def web_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The web fixtures' server, with the test 영유아보육법 시행령·시행규칙 and 아동복지법
    시행규칙 (their 별표 in the front matter) indexed in `childcare`."""
    root = tmp_path_factory.mktemp("childcare-page")
    svc = build_services(root, server={"ingest_on_start": False})
    index_childcare_statutes(svc.context.ingest, root / "statutes")
    yield svc
    svc.close()


def sign_out(browser, server) -> None:
    # Cookies go for the site on screen; a browser not yet on the site has none of it.
    if browser.current_url.startswith(server.url):
        browser.delete_all_cookies()
    browser.get("about:blank")  # the next address loads the page anew, not just its hash


def sign_in_here(browser, username: str = "admin") -> None:
    """Fill in the login form that is on screen."""
    visible(browser, "#login-form")
    css(browser, "#login-username").send_keys(username)
    css(browser, "#login-password").send_keys(PASSWORD + Keys.ENTER)


def item(browser, law: str, label: str):
    return css(browser, f'.appendix[data-law="{law}"][data-label="{label}"]')


def shots(browser, screenshot, name: str) -> None:
    """Screenshots at a laptop's and a phone's width; neither scrolls sideways."""
    for width, height in ((1366, 900), (400, 800)):
        set_viewport(browser, (width, height))
        assert_fits_the_screen(browser)
        screenshot(f"childcare-page-{width}-{name}")
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# --- the scenarios (in order, on one browser session) ------------------------------------------

@pytest.mark.parametrize("page, ready", [(PAGE, "#appendix-list .law"), ("assistants/general", "#deadline-form")])
def test_signed_out_a_page_asks_to_sign_in_and_comes_back_after(browser, live_server, page, ready):
    sign_out(browser, live_server)
    notice = open_page(browser, live_server, page, "#signin-needed")
    assert "로그인" in notice.text
    notice.find_element(By.CSS_SELECTOR, "a").click()
    sign_in_here(browser)
    visible(browser, ready)
    assert browser.current_url == f"{live_server.url}/{page}"
    assert css(browser, "#signin-needed").is_displayed() is False


def test_the_login_page_goes_back_only_to_an_assistants_page(browser, live_server):
    # Signed in already: the login address with a page goes straight there …
    browser.get(f"{live_server.url}/#/login?next=/assistants/general")
    visible(browser, "#deadline-form")
    # … and with another site's address, to the chat instead.
    sign_out(browser, live_server)
    browser.get(f"{live_server.url}/#/login?next=//evil.example/assistants/x")
    sign_in_here(browser)
    visible(browser, "#chat-title")
    assert browser.current_url.startswith(f"{live_server.url}/#/chat")


def test_staff_see_the_appendices_by_law_without_an_upload_control(browser, live_server, screenshot):
    sign_out(browser, live_server)
    browser.get(f"{live_server.url}/#/login?next=/{PAGE}")
    sign_in_here(browser, "kim")
    visible(browser, "#appendix-list .law")
    laws = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "#appendix-list .law h3")]
    assert laws == ["영유아보육법 시행령 대통령령 · 시행 2025-07-01", "영유아보육법 시행규칙 보건복지부령 · 시행 2026-01-01",
                    "아동복지법 시행규칙 보건복지부령 · 시행 2025-03-01"]
    rule = browser.find_elements(By.CSS_SELECTOR, f'.law[data-law="{RULE}"] .appendix')
    assert [i.get_attribute("data-label") for i in rule] == ["별표 1", "별표 1의2", "별표 2", "별표 10"]
    second = item(browser, RULE, "별표 2")
    assert "[별표 2] 보육교직원의 배치기준(제10조 관련)" in second.text and "색인 안 됨" in second.text
    assert second.text.splitlines() == ["[별표 2] 보육교직원의 배치기준(제10조 관련) 색인 안 됨", "관련 조문: 제10조, 제29조",
                                        "원문 보기 (법제처)"]
    link = second.find_element(By.CSS_SELECTOR, ".appendix-link a")
    assert link.get_attribute("href") == "https://www.law.go.kr/LSW/flDownload.do?flSeq=103"
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    assert css(browser, "#appendix-summary").text.startswith("별표 6개 중 0개 색인됨")
    # Uploading is for admins.
    assert browser.find_elements(By.CSS_SELECTOR, ".upload, .upload-form") == []
    assert css(browser, "#upload-help").is_displayed() is False
    assert_accessible(browser, "별표 안내 (직원)")
    shots(browser, screenshot, "staff")


def test_a_sample_question_opens_the_chat_with_it(browser, live_server):
    open_page(browser, live_server, PAGE, "#sample-list a")
    questions = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#sample-list a")]
    assert SAMPLE in questions and len(questions) == 7
    next(a for a in browser.find_elements(By.CSS_SELECTOR, "#sample-list a") if a.text == SAMPLE).click()
    box = visible(browser, "#question")
    wait_for(browser, lambda d: box.get_attribute("value") == SAMPLE, message="질문 칸에 질문이 채워지지 않았습니다")
    assert "보육" in css(browser, "#chat-title").text
    # …whose title links back to this page (업무 도구).
    assert visible(browser, ".tools-link").get_attribute("href") == f"{live_server.url}/{PAGE}"
    assert browser.current_url == f"{live_server.url}/#/chat/childcare?q={quote(SAMPLE, safe='')}"


def test_an_admin_uploads_an_appendix_and_sees_it_indexed(browser, live_server, web_services, tmp_path: Path,
                                                          screenshot):
    from tests.ingest.readers.reader_fixtures import build_pdf

    sign_out(browser, live_server)
    browser.get(f"{live_server.url}/#/login?next=/{PAGE}")
    sign_in_here(browser, "admin")
    visible(browser, "#appendix-list .law")
    assert visible(browser, "#upload-help").text.startswith("관리자:")
    assert len(browser.find_elements(By.CSS_SELECTOR, ".appendix details.upload")) == 6
    target = item(browser, RULE, "별표 1")
    target.find_element(By.CSS_SELECTOR, "summary").click()
    form = target.find_element(By.CSS_SELECTOR, ".upload-form")
    assert "색인되고 답변에 근거로 인용됩니다" in form.text
    assert_accessible(browser, "별표 안내 (관리자, 올리기 칸)")

    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()  # nothing chosen yet
    assert "올릴 별표 파일을 고르세요" in form.find_element(By.CSS_SELECTOR, ".upload-status").text

    pdf = tmp_path / "scan0001.pdf"  # a name that says nothing: the page names the file
    pdf.write_bytes(build_pdf([["[별표 1] 어린이집의 설치기준", "시험용 별표: 보육실 면적은 영유아 1명당 2.64제곱미터 이상"]]))
    form.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(pdf))
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # Read by script: the list is drawn again when the upload's job ends, and an element
    # found just before that is gone by the time its text is asked for.
    def text_of(selector: str) -> str:
        return browser.execute_script(
            "const row = document.querySelector(arguments[0]);"
            "const part = row && row.querySelector(arguments[1]); return part ? part.textContent : '';",
            f'.appendix[data-law="{RULE}"][data-label="별표 1"]', selector)

    wait_for(browser, lambda d: "색인됨" in text_of(".badge"), timeout=30, message="올린 별표가 색인되지 않았습니다")
    status = text_of(".upload-status")
    assert "색인했습니다" in status
    assert css(browser, "#appendix-summary").text.startswith("별표 6개 중 1개 색인됨")

    # The file went through the core's upload API under a name of its law and number,
    # which is what makes it count as that 별표 (also for the chat's 별표 pointer).
    _, admin = web_services.accounts.login("admin", PASSWORD)
    [job] = web_services.documents.jobs(admin, "childcare", 10)
    assert job["filename"] == f"{RULE} 별표 1 어린이집의 설치기준(제9조 관련).pdf"
    assert appendix_indexed_in([job["filename"]])(RULE, "별표 1")

    # A fresh look reads the same from the server; only 별표 1 of that law is indexed.
    open_page(browser, live_server, PAGE, "#appendix-list .law")
    assert "색인됨" in item(browser, RULE, "별표 1").text
    assert "색인 안 됨" in item(browser, RULE, "별표 1의2").text
    css(browser, "#only-missing").click()
    assert item(browser, RULE, "별표 1").is_displayed() is False
    assert item(browser, RULE, "별표 2").is_displayed() is True
    assert_accessible(browser, "별표 안내 (관리자, 색인 후)")
    shots(browser, screenshot, "admin")


def test_no_script_errors_or_policy_violations_were_logged(browser):
    # The pages' first /api/auth/me while signed out answers 401 (expected, filtered out).
    logged = console_errors(browser)
    assert logged == []
