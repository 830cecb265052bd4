"""Document administration in the browser: the upload dialog's access group, changing a
document's group in its row, the pipeline's progress on the job line, and a failed
upload removed from the list."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.conftest import missing_browser
from tests.web.test_browser import css, ensure_signed_in, open_page, visible, wait_for

_REASON = missing_browser()
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(bool(_REASON) and os.environ.get("CI") != "true", reason=_REASON)]

from selenium.webdriver.common.by import By  # noqa: E402  (after the skip: selenium may be missing)
from selenium.webdriver.support.ui import Select  # noqa: E402

EVAL_NOTE = "평가 메모.md"
BROKEN = "깨진 메모.md"


def upload_file(browser, path: Path, access: str | None = None) -> None:
    if access is not None:
        Select(css(browser, "#upload-access")).select_by_value(access)
    css(browser, "#upload-files").send_keys(str(path))
    css(browser, "#upload-form button[type=submit]").click()


def row_of(browser, source: str):
    return wait_for(browser, lambda d: next((r for r in d.find_elements(By.CSS_SELECTOR, "#documents-box tbody tr")
                                             if source in r.text), None), 30, f"{source} 행이 없습니다")


def test_an_upload_gets_an_access_group_that_can_be_changed_in_its_row(browser, live_server, web_services,
                                                                       tmp_path: Path, screenshot):
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, "#/documents/general", "#upload-form")
    choices = [o.get_attribute("value") for o in Select(css(browser, "#upload-access")).options]
    assert choices[0] == "public" and {"role:evaluator", "role:staff", "보육과"} <= set(choices)

    note = tmp_path / EVAL_NOTE
    note.write_text("# 평가 메모\n\n채점 보정 계수는 0.87로 정한다.\n", encoding="utf-8")
    upload_file(browser, note, "role:evaluator")
    line = wait_for(browser, lambda d: next((j for j in d.find_elements(By.CSS_SELECTOR, "#job-list .job")
                                             if EVAL_NOTE in j.text and "완료" in j.text), None), 30)
    assert "조각" in line.text
    status = web_services.context.state.document_status("general")
    assert status[EVAL_NOTE][0] == "role:evaluator"

    picker = Select(row_of(browser, EVAL_NOTE).find_element(By.CSS_SELECTOR, "select.access-select"))
    assert picker.first_selected_option.get_attribute("value") == "role:evaluator"
    picker.select_by_value("보육과")
    wait_for(browser, lambda d: "접근 그룹을 바꿨습니다" in css(d, "#documents-message").text, 10)
    assert web_services.context.state.document_status("general")[EVAL_NOTE][0] == "보육과"
    screenshot("15-documents-access-group")


def test_a_failed_upload_is_deleted_from_the_list(browser, live_server, tmp_path: Path):
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, "#/documents/general", "#upload-form")
    broken = tmp_path / BROKEN
    broken.write_bytes(b"\xff\xfe not utf-8")
    upload_file(browser, broken)
    wait_for(browser, lambda d: next((j for j in d.find_elements(By.CSS_SELECTOR, "#job-list .job")
                                      if BROKEN in j.text and "실패" in j.text), None), 30)
    wait_for(browser, lambda d: "실패" in row_of(d, BROKEN).text, 10)
    wait_for(browser, lambda d: click(d, f"#documents-box button[aria-label='{BROKEN} 삭제']"), 10)
    confirm_deletion(browser)
    wait_for(browser, lambda d: BROKEN not in css(d, "#documents-box").text, 10, "실패한 업로드가 목록에 남았습니다")
    assert BROKEN in css(browser, "#documents-message").text


def click(browser, selector: str) -> bool:
    """Click `selector` once it is there; False (try again) while the list is re-drawn."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    try:
        css(browser, selector).click()
        return True
    except (NoSuchElementException, StaleElementReferenceException):
        return False


def confirm_deletion(browser) -> None:
    """Accept the deletion's confirmation: the page's own dialog, or the browser's."""
    from selenium.common.exceptions import NoAlertPresentException

    def shown(d):
        try:
            return d.switch_to.alert
        except NoAlertPresentException:
            pass
        dialogs = [e for e in d.find_elements(By.CSS_SELECTOR, "dialog[open]") if e.is_displayed()]
        return dialogs[0] if dialogs else None

    found = wait_for(browser, shown, 10, "삭제 확인 창이 뜨지 않았습니다")
    if hasattr(found, "accept"):
        found.accept()
    else:
        visible(browser, "dialog[open] [data-confirm], dialog[open] button.danger").click()


def test_the_empty_chat_offers_the_assistant_s_sample_questions(browser, live_server, web_services, screenshot):
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, "#/chat/childcare", "#question")
    samples = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .welcome button.sample-question"))
    expected = list(web_services.context.assistants.require("childcare").sample_questions)
    assert [b.text for b in samples] == expected and len(expected) >= 7
    samples[1].click()
    assert css(browser, "#question").get_attribute("value") == expected[1]
    screenshot("16-chat-sample-questions")
