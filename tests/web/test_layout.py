"""The web UI at a phone's width (400×800) and a laptop's (1366×900): the question box in
view without scrolling, 지난 대화 reachable, labels on one line, wide tables scrolling
inside their own box instead of widening the page, long file names cut with an ellipsis,
icons drawn as SVG, and the small texts of the documents and evaluation pages. Every
test opens its own page; each saves screenshots as test-artifacts/screenshots/layout-*.png."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.web.conftest import require_browser

pytestmark = pytest.mark.browser

require_browser()

from selenium.webdriver.common.by import By  # noqa: E402

from tests.web.test_browser import (  # noqa: E402
    CHILDCARE_QUESTION, ask, assert_accessible, assert_fits_the_screen, css, ensure_signed_in, eval_run,  # noqa: F401
    last_answer, open_page, visible, wait_for)

NARROW, WIDE = (400, 800), (1366, 900)
SIZES = pytest.mark.parametrize("size", [NARROW, WIDE], ids=["400px", "1366px"])
# 244 characters, no space to break at: the kind of name that stretched the table to 2,400 px.
LONG_NAME = "2025년도_" + "seoul-city-annual-work-plan-" * 8 + "x" * 4 + ".exe"


def set_viewport(browser, size: tuple[int, int]) -> None:
    """The page's own size (innerWidth × innerHeight), not the window's."""
    width, height = size
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


@pytest.fixture(autouse=True)
def _fresh_page(browser):
    """Each test loads the page anew (a route change alone keeps an open dialog), and
    leaves the window at its own size."""
    browser.get("about:blank")
    yield
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def line_count(browser, element) -> int:
    """How many lines an element's text takes (distinct tops of its text's boxes)."""
    return browser.execute_script("""
        const range = document.createRange();
        range.selectNodeContents(arguments[0]);
        return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
    """, element)


def rect(browser, element) -> dict:
    return browser.execute_script("const r = arguments[0].getBoundingClientRect();"
                                  "return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,"
                                  " width: r.width, height: r.height};", element)


def assert_in_view_unscrolled(browser, selector: str):
    box = rect(browser, css(browser, selector))
    scroll_y, height, width = browser.execute_script("return [window.scrollY, innerHeight, innerWidth]")
    assert scroll_y == 0
    assert 0 <= box["top"] and box["bottom"] <= height, f"{selector}이(가) 화면 밖입니다: {box}, 높이 {height}px"
    assert 0 <= box["left"] and box["right"] <= width, f"{selector}이(가) 화면 밖입니다: {box}, 너비 {width}px"


def assert_scrolls_inside(browser, wrap, narrow: bool):
    """A wide table scrolls in its own box: at 400 px it is wider than the box, the box
    stays on screen, and scrolled to the end its last column shows."""
    width = browser.execute_script("return innerWidth")
    box = rect(browser, wrap)
    assert box["left"] >= 0 and box["right"] <= width, f"표의 상자가 화면 밖으로 나갑니다: {box}"
    assert browser.execute_script("return getComputedStyle(arguments[0]).overflowX", wrap) in ("auto", "scroll")
    if narrow:
        assert browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", wrap), \
            "400px에서 표가 줄어들어 글자가 끊깁니다 (가로로 스크롤되어야 합니다)"
    browser.execute_script("arguments[0].scrollLeft = arguments[0].scrollWidth", wrap)
    last = wrap.find_elements(By.CSS_SELECTOR, "thead th")[-1]
    assert rect(browser, last)["right"] <= rect(browser, wrap)["right"] + 1, "끝까지 스크롤해도 마지막 열이 잘립니다"
    browser.execute_script("arguments[0].scrollLeft = 0", wrap)


def shot(screenshot, name: str, size: tuple[int, int]) -> Path:
    return screenshot(f"layout-{size[0]}-{name}")


# --- set-up shared by the tests: data, never screen state ------------------------------------

@pytest.fixture(scope="module")
def conversation(browser, live_server) -> str:
    """The route of a conversation with one cited, finished answer."""
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, "#/chat/childcare", "#question")
    ask(browser, CHILDCARE_QUESTION)
    last_answer(browser)
    wait_for(browser, lambda d: d.execute_script("return /^#\\/chat\\/childcare\\/\\d+$/.test(location.hash)"))
    return browser.execute_script("return location.hash")


@pytest.fixture(scope="module")
def long_failed_upload(browser, live_server, tmp_path_factory) -> str:
    """An upload refused for its format whose file name is 244 characters long."""
    path = tmp_path_factory.mktemp("long") / LONG_NAME
    path.write_bytes(b"MZ\x90\x00")
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, "#/documents/general", "#upload-form")
    css(browser, "#upload-files").send_keys(str(path))
    css(browser, "#upload-form button[type=submit]").click()
    wait_for(browser, lambda d: "실패" in css(d, "#job-list li").text, timeout=20)
    return LONG_NAME


# --- chat -----------------------------------------------------------------------------------

@SIZES
def test_the_question_box_is_in_view_and_past_conversations_open(browser, live_server, conversation, size,
                                                                 screenshot):
    narrow = size == NARROW
    set_viewport(browser, size)
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, conversation, "#question")
    last_answer(browser)
    visible(browser, "#conversation-list a.conversation-link" if not narrow else "#conversations-toggle")
    shot(screenshot, "chat", size)

    assert browser.execute_script("return innerWidth") == size[0]
    assert_in_view_unscrolled(browser, "#question")
    assert_in_view_unscrolled(browser, "#ask-button")
    assert_fits_the_screen(browser)
    header = rect(browser, css(browser, ".site-header"))
    assert header["height"] <= 60, f"머리글이 한 줄이 아닙니다: {header['height']}px"
    # The header and the assistant list once took 60 % of a phone's screen.
    assert rect(browser, css(browser, "#messages"))["height"] >= 0.45 * size[1]
    if narrow:  # a row of chips, each on one line
        for link in browser.find_elements(By.CSS_SELECTOR, "#assistant-list .assistant-link"):
            assert line_count(browser, link) == 1, f"도우미 이름이 줄을 바꿉니다: {link.text}"

    toggle = css(browser, "#conversations-toggle")
    conversations = css(browser, "#conversation-list")
    if narrow:
        assert toggle.is_displayed() and not conversations.is_displayed()
        toggle.click()
        link = visible(browser, "#conversation-list a.conversation-link")
        assert CHILDCARE_QUESTION in link.text
        assert toggle.get_attribute("aria-expanded") == "true"
        assert_in_view_unscrolled(browser, "#question")  # still there with the list open
        assert_fits_the_screen(browser)
        shot(screenshot, "chat-conversations-open", size)
        toggle.click()
        wait_for(browser, lambda d: not conversations.is_displayed(), message="지난 대화 목록이 닫히지 않습니다")
    else:
        assert not toggle.is_displayed() and conversations.is_displayed()
    assert_accessible(browser, f"대화 ({size[0]}px)")


@SIZES
def test_feedback_buttons_draw_their_thumbs_as_svg(browser, live_server, conversation, size, screenshot):
    set_viewport(browser, size)
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, conversation, "#question")
    answer = last_answer(browser)
    feedback = answer.find_element(By.CSS_SELECTOR, ".feedback")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", feedback)
    shot(screenshot, "feedback", size)
    up, down = (answer.find_element(By.CSS_SELECTOR, f"button.feedback-{kind}") for kind in ("up", "down"))
    for button, text in ((up, "도움이 됨"), (down, "도움이 안 됨")):
        svg = button.find_element(By.TAG_NAME, "svg")
        assert svg.get_attribute("aria-hidden") == "true"
        assert rect(browser, svg)["width"] > 8
        assert button.text == text and button.accessible_name == text
    assert not any(ord(ch) > 0x2FFF and not "\uac00" <= ch <= "\ud7a3" for ch in feedback.text), feedback.text
    assert_fits_the_screen(browser)


@SIZES
def test_the_passage_labels_stay_on_one_line(browser, live_server, conversation, size, screenshot):
    set_viewport(browser, size)
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, conversation, "#question")
    last_answer(browser).find_element(By.CSS_SELECTOR, ".answer-text button.cite").click()
    dialog = visible(browser, "#passage-dialog[open]")
    # Read in one script: the viewer fills its fields in two steps (placeholder, then the
    # fetched passage), and elements found in the first may be gone by the second.
    wait_for(browser, lambda d: "파일" in d.execute_script(
        "return [...document.querySelectorAll('#passage-dialog .passage-meta dt')].map(e => e.textContent)"),
             message="근거 문서에 '파일' 항목이 없습니다")
    # A long file name beside its label squeezed the label to a syllable a line (파/일).
    title = css(browser, "#passage-title").text
    browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        import('/static/dialog.js').then((m) => m.openPassage(
            {label: arguments[0], source: arguments[1], locator: '제3조', text: '본문'}, null)).then(done);
    """, title, f"statutes/childcare/{LONG_NAME}")
    wait_for(browser, lambda d: LONG_NAME in dialog.text)
    shot(screenshot, "passage-dialog", size)
    terms = dialog.find_elements(By.CSS_SELECTOR, ".passage-meta dt")
    assert "파일" in [t.text for t in terms]
    for term in terms:
        assert line_count(browser, term) == 1, f"'{term.text}'이(가) 두 줄로 나뉩니다"
    assert_fits_the_screen(browser)
    css(browser, "#passage-dialog .dialog-close").click()


# --- documents ------------------------------------------------------------------------------

@SIZES
def test_documents_tables_scroll_in_their_box_and_long_names_are_cut(browser, live_server, long_failed_upload,
                                                                     size, screenshot):
    narrow = size == NARROW
    set_viewport(browser, size)
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, "#/documents/general", "#documents-box table")
    name = wait_for(browser, lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, "#documents-box .clip")
                                             if e.get_attribute("title") == long_failed_upload), None),
                    message="긴 이름의 실패한 업로드가 목록에 없습니다")
    shot(screenshot, "documents", size)

    assert_fits_the_screen(browser)
    # Cut with an ellipsis, the whole name on hover (and, as text, for screen readers).
    assert browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", name)
    assert browser.execute_script("return getComputedStyle(arguments[0]).textOverflow", name) == "ellipsis"
    assert name.get_attribute("textContent") == long_failed_upload
    assert rect(browser, name)["width"] <= 320
    reason = name.find_element(By.XPATH, "ancestor::tr").find_element(By.CSS_SELECTOR, ".doc-error")
    assert rect(browser, reason)["width"] >= 200, "실패 이유가 좁은 열에 한두 글자씩 끊깁니다"
    table = css(browser, "#documents-box table")
    assert rect(browser, table)["width"] <= (1500 if not narrow else 1200), "긴 이름이 표를 늘립니다"
    for head in browser.find_elements(By.CSS_SELECTOR, "#documents-box thead th, #collections-box thead th"):
        assert line_count(browser, head) == 1, f"열 제목 '{head.text}'이(가) 두 줄로 나뉩니다"
    for label in browser.find_elements(By.CSS_SELECTOR, "#documents-admin label"):
        assert line_count(browser, label) <= (3 if narrow else 1), f"'{label.text}'이(가) 너무 많은 줄을 차지합니다"
    assert_scrolls_inside(browser, css(browser, "#collections-box .table-wrap"), narrow)
    assert_scrolls_inside(browser, css(browser, "#documents-box .table-wrap"), narrow)
    browser.execute_script("arguments[0].scrollIntoView()", css(browser, "#documents-box"))
    shot(screenshot, "documents-table", size)
    assert_accessible(browser, f"문서 관리 ({size[0]}px)")


def test_deleting_a_document_asks_first_and_then_says_it_is_done(browser, live_server, tmp_path: Path, screenshot):
    set_viewport(browser, NARROW)
    ensure_signed_in(browser, live_server)
    name = "지울-안내문.md"
    (tmp_path / name).write_text("# 지울 안내문\n\n이 문서는 곧 지운다.\n", encoding="utf-8")
    open_page(browser, live_server, "#/documents/general", "#upload-form")
    css(browser, "#upload-files").send_keys(str(tmp_path / name))
    css(browser, "#upload-form button[type=submit]").click()
    delete = f"#documents-box button[aria-label='{name} 삭제']"
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, delete), timeout=30, message="삭제 단추가 없습니다")

    css(browser, delete).click()
    confirm = wait_for(browser, lambda d: d.switch_to.alert)
    assert name in confirm.text
    confirm.dismiss()  # 취소: nothing happens
    assert browser.find_elements(By.CSS_SELECTOR, delete)
    assert css(browser, "#documents-message").text == ""

    css(browser, delete).click()
    wait_for(browser, lambda d: d.switch_to.alert).accept()
    wait_for(browser, lambda d: not d.find_elements(By.CSS_SELECTOR, delete), message="문서가 목록에 남았습니다")
    message = visible(browser, "#documents-message")
    assert message.text == f"삭제했습니다: {name}"
    assert message.get_attribute("role") == "status"
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", message)
    shot(screenshot, "documents-deleted", NARROW)


# --- evaluation -----------------------------------------------------------------------------

def test_the_empty_evaluation_page_shows_the_command_as_code(browser, live_server, web_services, screenshot):
    from eval.runs import runs_root

    runs = runs_root(web_services.settings)
    aside = runs.with_name(runs.name + "-aside")
    if runs.exists():
        shutil.move(runs, aside)  # no stored run, whichever test made one
    try:
        set_viewport(browser, NARROW)
        ensure_signed_in(browser, live_server)
        open_page(browser, live_server, "#/eval", "#runs-box .empty")
        shot(screenshot, "eval-empty", NARROW)
        assert css(browser, "#runs-box .empty code").text == "seoul-assist eval run"
        assert "`" not in css(browser, "main").text
        assert_fits_the_screen(browser)
    finally:
        if aside.exists():
            shutil.move(aside, runs)


@SIZES
def test_evaluation_tables_keep_run_names_whole_and_scroll(browser, live_server, eval_run, size, screenshot):
    narrow = size == NARROW
    set_viewport(browser, size)
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, "#/eval", "#runs-box table")
    shot(screenshot, "eval-runs", size)
    link = browser.find_element(By.LINK_TEXT, "웹 화면 확인")
    assert line_count(browser, link) == 1
    for cell in browser.find_elements(By.CSS_SELECTOR, "#runs-box td, #runs-box th"):
        assert line_count(browser, cell) <= 2, f"'{cell.text}'이(가) 글자마다 줄을 바꿉니다"
    assert_fits_the_screen(browser)
    assert_scrolls_inside(browser, css(browser, "#runs-box .table-wrap"), narrow)

    open_page(browser, live_server, f"#/eval/{eval_run}", "#cases-box table")
    shot(screenshot, "eval-run", size)
    assert_fits_the_screen(browser)
    for fact in browser.find_elements(By.CSS_SELECTOR, "#run-summary dd"):
        assert line_count(browser, fact) <= 2, f"'{fact.text}'이(가) 글자마다 줄을 바꿉니다"
    for row_head in browser.find_elements(By.CSS_SELECTOR, "#cases-box tbody th"):
        assert line_count(browser, row_head) == 1
    assert_scrolls_inside(browser, css(browser, "#cases-box .table-wrap"), narrow)
    frame = css(browser, "#report-frame")
    assert rect(browser, frame)["right"] <= size[0]
    browser.execute_script("arguments[0].scrollIntoView()", frame)
    shot(screenshot, "eval-report", size)
    browser.switch_to.frame(frame)
    try:  # the report's own table of run facts: the run id on one line
        run_id = wait_for(browser, lambda d: next((row.find_elements(By.TAG_NAME, "td")[1] for row in
                                                  d.find_elements(By.CSS_SELECTOR, "table.meta tr")
                                                  if row.text.startswith("실행 id")), None))
        assert run_id.text == eval_run
        assert line_count(browser, run_id) == 1, f"보고서의 실행 id가 여러 줄로 끊깁니다: {run_id.text!r}"
        assert_fits_the_screen(browser)
    finally:
        browser.switch_to.default_content()
    assert_accessible(browser, f"평가 실행 ({size[0]}px)")
