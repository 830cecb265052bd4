"""The web UI in a real headless chromium against a real uvicorn server on fakes: sign
in, a streamed and cited answer, the passage dialog, feedback, an upload that becomes
searchable, re-indexing, the evaluation dashboard with its failing-case filters and pages,
an answer that carries markup, a session that lapses mid-use, and what each role sees.
Each screen is checked with axe-core (no serious or critical violation). The tests run in
order on one browser session; each saves a screenshot (1366×768) under
test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.conftest import PASSWORD, axe_problems, require_browser

pytestmark = pytest.mark.browser

require_browser()

from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHILDCARE_QUESTION = "녹화된 영상은 며칠 이상 보관해야 하나요?"
UPLOAD_NAME = "청사자전거보관소안내.md"
UPLOAD_TEXT = """# 청사 자전거 보관소 안내

## 소독 일정

청사 자전거 보관소는 매주 수요일 오후 3시에 방역업체가 소독한다.

## 이용 시간

자전거 보관소는 평일 오전 7시부터 오후 9시까지 연다.
"""
PDF_NAME = "민원실 우산 대여.pdf"
PDF_PAGES = [["민원실 우산 대여 안내", "민원실은 서울시청 본관 1층에 있다."],
             ["비 오는 날 민원실은 우산을 무료로 빌려준다.", "빌린 우산은 다음 근무일까지 민원실에 반납한다."]]
XSS = "<img src=x onerror=alert(1)>"
# Console lines that are expected: the first /api/auth/me before signing in.
_EXPECTED_CONSOLE = ("/api/auth/me - Failed to load resource: the server responded with a status of 401",
                     "/api/auth/login - Failed to load resource: the server responded with a status of 401")


# --- helpers ------------------------------------------------------------------------------

def wait_for(browser, condition, timeout: float = 10, message: str = ""):
    # A list the page re-renders while the condition reads it leaves stale elements: read again.
    return WebDriverWait(browser, timeout, poll_frequency=0.05,
                         ignored_exceptions=(StaleElementReferenceException,)).until(lambda d: condition(d), message)


def css(browser, selector: str):
    return browser.find_element(By.CSS_SELECTOR, selector)


def visible(browser, selector: str, timeout: float = 10):
    return wait_for(browser, lambda d: next((e for e in d.find_elements(By.CSS_SELECTOR, selector) if e.is_displayed()),
                                            None), timeout, f"{selector} 이(가) 보이지 않습니다")


def open_page(browser, server, route: str, ready: str):
    browser.get(f"{server.url}/{route}")
    return visible(browser, ready)


def console_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser")
            if e["level"] == "SEVERE" and not any(x in e["message"] for x in _EXPECTED_CONSOLE)]


def assert_fits_the_screen(browser):
    width, inner = browser.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"가로 스크롤이 생깁니다: {width}px > {inner}px"


def assert_accessible(browser, where: str, context: object = None):
    problems = axe_problems(browser, context)
    assert problems == [], f"{where}: axe가 심각한 접근성 문제를 찾았습니다:\n" + "\n".join(problems)


def sign_in(browser, server, username: str = "admin"):
    open_page(browser, server, "#/login", "#login-form")
    css(browser, "#login-username").send_keys(username)
    css(browser, "#login-password").send_keys(PASSWORD + Keys.ENTER)
    visible(browser, "#chat-title")
    wait_for(browser, lambda d: "/#/chat/" in d.current_url)


def ensure_signed_in(browser, server, username: str = "admin"):
    browser.get(f"{server.url}/#/chat")
    shown = visible(browser, "#login-form, #chat-title")
    if shown.get_attribute("id") == "chat-title" and username in css(browser, "#user-name").text:
        return
    if shown.get_attribute("id") == "chat-title":
        css(browser, "#logout").click()
        visible(browser, "#login-form")
    sign_in(browser, server, username)


def ask(browser, question: str):
    box = visible(browser, "#question")
    box.clear()
    box.send_keys(question)
    css(browser, "#ask-button").click()


def last_answer(browser, timeout: float = 15):
    """The newest finished answer (the verified one that replaced the streamed text)."""
    def done(d):
        answers = d.find_elements(By.CSS_SELECTOR, "#messages .msg-assistant")
        if answers and answers[-1].get_attribute("aria-busy") != "true" and \
                answers[-1].find_elements(By.CSS_SELECTOR, ".answer, .error"):
            return answers[-1]
        return None

    return wait_for(browser, done, timeout, "답변이 끝나지 않았습니다")


RECORD_ADDED = """
window.__added = [];
new MutationObserver((records) => {
  for (const r of records) for (const n of r.addedNodes)
    if (n.nodeType === 1) window.__added.push(n.className || n.tagName);
}).observe(document.getElementById('messages'), {childList: true, subtree: true});
"""


# --- the scenarios ------------------------------------------------------------------------

def test_sign_in_with_a_wrong_then_the_right_password(browser, live_server, screenshot):
    open_page(browser, live_server, "", "#login-form")
    assert browser.execute_script("return location.hash") == "#/login"
    assert css(browser, "label[for=login-username]").text == "아이디"
    assert_accessible(browser, "로그인")
    screenshot("01-login")

    css(browser, "#login-username").send_keys("admin")
    css(browser, "#login-password").send_keys("wrong-password" + Keys.ENTER)
    error = wait_for(browser, lambda d: css(d, "#login-error").text, message="로그인 오류가 보이지 않습니다")
    assert "비밀번호" in error
    css(browser, "#login-password").clear()
    css(browser, "#login-password").send_keys(PASSWORD + Keys.ENTER)

    visible(browser, "#chat-title")
    assert "/#/chat/" in browser.current_url
    assert css(browser, "#user-name").text.startswith("admin")
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#site-nav a")] == ["대화", "문서 관리", "평가"]
    assert browser.find_elements(By.CSS_SELECTOR, "header.site-header nav") and css(browser, "main#main")
    assert_fits_the_screen(browser)


def test_streamed_answer_shows_the_quote_the_queue_then_the_cited_answer(browser, live_server, web_services,
                                                                         screenshot):
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, "#/chat/childcare", "#question")
    assert css(browser, "#chat-title").text == "영유아 보육행정 AI 업무매뉴얼"
    browser.execute_script(RECORD_ADDED)
    queue = web_services.generation_queue
    for _ in queue.wait_turn():  # hold the one model slot: the page must show its place in line
        pass
    try:
        ask(browser, CHILDCARE_QUESTION)
        quote = visible(browser, "#messages .extractive blockquote")
        assert "60일 이상 보관" in quote.text
        wait_for(browser, lambda d: "대기 순서: 1번째" in css(d, "#messages .msg-status").text,
                 message="대기 순서가 보이지 않습니다")
        assert css(browser, "#messages .msg-assistant").get_attribute("aria-busy") == "true"
        screenshot("02-chat-quote-while-queued")
    finally:
        queue.release()

    answer = last_answer(browser)
    added = browser.execute_script("return window.__added")
    assert added.index("extractive") < added.index("generating") < added.index("answer answer-generated")
    assert "생성 답변" in answer.find_element(By.CSS_SELECTOR, ".mode-badge").text
    chips = answer.find_elements(By.CSS_SELECTOR, ".answer-text button.cite")
    assert chips and chips[0].text == "1"
    assert "테스트법 제3조" in chips[0].get_attribute("aria-label")
    assert "테스트법 제3조" in answer.find_element(By.CSS_SELECTOR, ".sources").text
    assert "[1]" not in answer.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert_fits_the_screen(browser)
    assert_accessible(browser, "답변이 있는 대화")
    screenshot("03-chat-answer")


def childcare_answer(browser, server):
    """The finished answer to CHILDCARE_QUESTION: the one on screen when the previous test
    left it there, else a new one, so that a test run alone sees the same screen."""
    shown = browser.find_elements(By.CSS_SELECTOR, "#messages .msg-user")
    if not (shown and CHILDCARE_QUESTION in shown[-1].text):
        ensure_signed_in(browser, server)
        open_page(browser, server, "#/chat/childcare", "#question")
        ask(browser, CHILDCARE_QUESTION)
    return last_answer(browser)


def test_a_citation_chip_opens_the_passage_with_its_effective_date(browser, live_server, screenshot):
    chip = childcare_answer(browser, live_server).find_element(By.CSS_SELECTOR, ".answer-text button.cite")
    chip.click()
    dialog = visible(browser, "#passage-dialog[open]")
    wait_for(browser, lambda d: "60일 이상 보관" in dialog.text and "2025-03-01" in dialog.text,
             message="대화상자에 조문이 없습니다")
    assert css(browser, "#passage-title").text == "테스트법 제3조"
    assert "시행일자" in dialog.text
    # Focus is inside the dialog and Tab keeps it there.
    for _ in range(4):
        assert browser.execute_script("return document.activeElement.closest('#passage-dialog') !== null")
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert_accessible(browser, "근거 문서 대화상자")
    screenshot("04-passage-dialog")

    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_for(browser, lambda d: not css(d, "#passage-dialog").get_attribute("open"), message="Esc로 닫히지 않습니다")
    assert browser.switch_to.active_element == chip


def test_a_work_manual_answer_lists_its_basis_with_the_in_force_date(browser, live_server):
    # childcare is a work manual (answer_shape: manual): the server's 근거 lines, as text.
    basis = childcare_answer(browser, live_server).find_element(By.CSS_SELECTOR, "section.basis")
    assert basis.find_element(By.CSS_SELECTOR, ".basis-title").text == "근거"
    lines = [li.text for li in basis.find_elements(By.CSS_SELECTOR, "li")]
    assert "[1] 테스트법 제3조 (시행일자 2025. 3. 1.)" in lines
    assert basis.find_elements(By.CSS_SELECTOR, "a, button, img") == []


def test_thumbs_down_with_a_comment_is_stored(browser, live_server, web_services, screenshot):
    answer = childcare_answer(browser, live_server)
    answer.find_element(By.CSS_SELECTOR, "button.feedback-down").click()
    comment = answer.find_element(By.CSS_SELECTOR, "textarea.feedback-comment")
    wait_for(browser, lambda d: comment.is_displayed())
    comment.send_keys("보관 기간 조항이 아니라 설치 조항을 인용했습니다")
    answer.find_element(By.CSS_SELECTOR, "button.feedback-send").click()
    wait_for(browser, lambda d: "의견을 보냈습니다" in answer.find_element(By.CSS_SELECTOR, ".feedback-status").text,
             message="의견 저장 메시지가 없습니다")
    assert answer.find_element(By.CSS_SELECTOR, "button.feedback-down").get_attribute("aria-pressed") == "true"
    screenshot("05-feedback")

    stored = web_services.history.all_feedback()
    assert stored[0]["rating"] == -1
    assert stored[0]["comment"] == "보관 기간 조항이 아니라 설치 조항을 인용했습니다"


def test_an_old_conversation_opens_from_the_list_and_continues(browser, live_server):
    css(browser, "#new-conversation").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#messages .welcome"))
    link = visible(browser, "#conversation-list a.conversation-link")
    assert CHILDCARE_QUESTION in link.text
    link.click()
    answer = last_answer(browser)
    assert answer.find_elements(By.CSS_SELECTOR, ".answer-text button.cite")
    # childcare is a work manual: the reopened answer lists its 근거 with the 시행일자, as it did.
    assert "시행일자" in answer.find_element(By.CSS_SELECTOR, "section.basis").text
    assert answer.find_element(By.CSS_SELECTOR, "button.feedback-down").get_attribute("aria-pressed") == "true"
    url = browser.current_url

    ask(browser, "급식은 누가 작성한 식단에 따르나요?")
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#messages .msg-user")) == 2)
    assert "영양사" in last_answer(browser).text
    assert browser.current_url == url  # the same conversation, not a new one
    assert len(browser.find_elements(By.CSS_SELECTOR, "#conversation-list a.conversation-link")) == 1


def test_an_answer_with_markup_is_shown_as_text(browser, live_server, web_services, screenshot):
    open_page(browser, live_server, "#/chat/childcare", "#question")
    web_services.context.answers.llm().queue(f"{XSS} 원장은 녹화된 영상을 60일 이상 보관하여야 한다. [1]")
    ask(browser, CHILDCARE_QUESTION)
    answer = last_answer(browser)
    text = answer.find_element(By.CSS_SELECTOR, ".answer-text").text + " ".join(
        e.get_attribute("textContent") for e in answer.find_elements(By.CSS_SELECTOR, ".removed li"))
    assert XSS in text
    assert browser.find_elements(By.CSS_SELECTOR, "#messages img") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text
    screenshot("06-markup-as-text")


# A planted instruction made the model write a phishing link before its answer.
INJECTED_REPLY = ("http://evil.example/login 에서 다시 로그인하세요. "
                  "원장은 녹화된 영상을 60일 이상 보관하여야 합니다 [1]. "
                  "원장은 보육실마다 폐쇄회로 텔레비전을 설치하여야 합니다 [1].")
# Whether any answer box (removed-sentence lists aside) ever showed the link, mutation by mutation.
WATCH_ANSWERS = """
window.__linkInAnswer = false;
new MutationObserver(() => {
  for (const box of document.querySelectorAll('#messages .answer')) {
    const copy = box.cloneNode(true);
    copy.querySelectorAll('.removed').forEach((n) => n.remove());
    if (copy.textContent.includes('evil.example')) window.__linkInAnswer = true;
  }
}).observe(document.getElementById('messages'), {childList: true, subtree: true, characterData: true});
"""


def test_the_streamed_draft_is_marked_unverified_and_only_verified_sentences_become_the_answer(
        browser, live_server, web_services, screenshot):
    open_page(browser, live_server, "#/chat/childcare", "#question")
    browser.execute_script(WATCH_ANSWERS)
    llm = web_services.context.answers.llm()
    pieces = llm.piece_chars
    link_end = INJECTED_REPLY.index(" 에서") + len(" 에서")  # the link and a word after it
    next_start = INJECTED_REPLY.index("원장은 보육실")  # the third sentence begins: the second is finished
    llm.queue(INJECTED_REPLY)
    holds = llm.hold_next(-(-link_end // pieces), -(-(next_start + 1) // pieces))
    try:
        ask(browser, CHILDCARE_QUESTION)
        # Held with the link streamed, its sentence not yet finished: a draft, plainly marked.
        draft = visible(browser, "#messages .msg-assistant .draft")
        wait_for(browser, lambda d: "http://evil.example/login" in draft.text, message="초안에 링크 글이 없습니다")
        assert "검증 전 초안" in draft.find_element(By.CSS_SELECTOR, ".draft-title").text
        style = browser.execute_script(
            "const s = getComputedStyle(arguments[0]); return [s.borderTopStyle, s.fontStyle];", draft)
        assert style == ["dashed", "italic"]
        assert draft.find_elements(By.CSS_SELECTOR, "a") == [] and browser.find_elements(By.CSS_SELECTOR, "#messages a") == []
        assert not css(browser, "#messages .answer-partial").is_displayed()
        assert_accessible(browser, "검증 전 초안")
        screenshot("06a-chat-draft-unverified")
        holds[0].set()

        # Held after the second sentence was checked: it is in the answer box with its citation;
        # the link sentence failed and left the draft without entering the answer.
        partial = visible(browser, "#messages .answer-partial")
        wait_for(browser, lambda d: "60일 이상 보관" in partial.text, message="확인된 문장이 답변에 없습니다")
        assert "evil" not in partial.text and partial.find_elements(By.CSS_SELECTOR, "button.cite")
        assert "evil" not in draft.text and "보관하여야 합니다" not in draft.text
        assert "1개는 답변에 넣지 않았습니다" in draft.find_element(By.CSS_SELECTOR, ".draft-note").text
        screenshot("06b-chat-draft-first-sentence-verified")
    finally:
        for hold in holds:
            hold.set()

    answer = last_answer(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "#messages .msg-assistant .draft") == []
    text = answer.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert "60일 이상 보관" in text and "설치" in text and "evil" not in text
    assert browser.execute_script("return window.__linkInAnswer") is False
    assert browser.find_elements(By.CSS_SELECTOR, "#messages a[href*=evil]") == []
    screenshot("06c-chat-draft-replaced-by-the-verified-answer")


def test_uploaded_documents_are_indexed_and_then_cited(browser, live_server, tmp_path: Path, screenshot):
    from tests.ingest.readers.reader_fixtures import build_pdf

    open_page(browser, live_server, "#/documents/general", "#upload-form")
    assert css(browser, "#collection-heading").text.startswith("범용 AI 업무매뉴얼")
    assert not css(browser, "#documents-readonly").is_displayed()
    note, pdf = tmp_path / UPLOAD_NAME, tmp_path / PDF_NAME
    note.write_text(UPLOAD_TEXT, encoding="utf-8")
    pdf.write_bytes(build_pdf(PDF_PAGES, title="민원실 우산 대여"))
    css(browser, "#upload-files").send_keys(f"{note}\n{pdf}")  # two files in one upload
    css(browser, "#upload-form button[type=submit]").click()

    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#job-list li")) == 2)
    jobs = browser.find_elements(By.CSS_SELECTOR, "#job-list li")
    assert [UPLOAD_NAME in jobs[0].text, PDF_NAME in jobs[1].text] == [True, True]
    wait_for(browser, lambda d: all("완료" in j.text or "실패" in j.text for j in jobs), timeout=30,
             message="색인 작업이 끝나지 않았습니다")
    assert all("완료" in j.text for j in jobs), [j.text for j in jobs]
    assert int(css(browser, "#upload-progress").get_attribute("value")) == 100
    table = wait_for(browser, lambda d: next((t for t in d.find_elements(By.CSS_SELECTOR, "#documents-box table")
                                              if UPLOAD_NAME in t.text and PDF_NAME in t.text), None))
    assert table.text.count("색인됨") == 2
    general = wait_for(browser, lambda d: next((r for r in d.find_elements(By.CSS_SELECTOR, "#collections-box tr")
                                                if "general" in r.text), None))
    assert general.find_elements(By.CSS_SELECTOR, "td")[0].text == "2"  # the counts were refreshed too
    assert_fits_the_screen(browser)
    assert_accessible(browser, "문서 관리 (관리자)")
    screenshot("07-documents-uploaded")

    open_page(browser, live_server, "#/chat/general", "#question")
    ask(browser, "청사 자전거 보관소는 언제 소독하나요?")
    answer = last_answer(browser)
    assert "수요일" in answer.find_element(By.CSS_SELECTOR, ".answer-text").text
    assert "청사 자전거 보관소 안내" in answer.find_element(By.CSS_SELECTOR, ".sources").text
    answer.find_element(By.CSS_SELECTOR, ".answer-text button.cite").click()
    dialog = visible(browser, "#passage-dialog[open]")
    wait_for(browser, lambda d: "오후 3시" in dialog.text and UPLOAD_NAME in dialog.text)
    screenshot("08-uploaded-document-cited")
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)


def test_a_pdf_citation_shows_the_whole_page_with_the_passage_marked(browser, live_server, screenshot):
    open_page(browser, live_server, "#/chat/general", "#question")
    ask(browser, "비 오는 날 민원실에서 우산을 빌려주나요?")
    answer = last_answer(browser)
    assert "민원실 우산 대여 p. 2" in answer.find_element(By.CSS_SELECTOR, ".sources").text
    chip = next(c for c in answer.find_elements(By.CSS_SELECTOR, ".answer-text button.cite")
                if "p. 2" in c.get_attribute("aria-label"))
    chip.click()
    dialog = visible(browser, "#passage-dialog[open]")
    mark = wait_for(browser, lambda d: next(iter(dialog.find_elements(By.CSS_SELECTOR, ".page-text mark")), None),
                    message="쪽 전문에 강조 표시가 없습니다")
    assert "우산을 무료로 빌려준다" in mark.text
    assert "2쪽 전체" in dialog.text
    link = dialog.find_element(By.PARTIAL_LINK_TEXT, "원본 파일 열기 (2쪽)")
    assert "/api/collections/general/file?source=" in link.get_attribute("href")
    screenshot("09-pdf-page-marked")
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_for(browser, lambda d: not css(d, "#passage-dialog").get_attribute("open"))


def test_a_refused_upload_names_the_file_and_the_reason(browser, live_server, tmp_path: Path):
    open_page(browser, live_server, "#/documents/general", "#upload-form")
    bad = tmp_path / "실행파일.exe"
    bad.write_bytes(b"MZ\x90\x00")
    css(browser, "#upload-files").send_keys(str(bad))
    css(browser, "#upload-form button[type=submit]").click()
    job = visible(browser, "#job-list li")
    wait_for(browser, lambda d: "실패" in job.text)
    assert "실행파일.exe" in job.text and "지원하지 않는 파일 형식" in job.text
    wait_for(browser, lambda d: "색인하지 못했습니다" in css(d, "#upload-message").text)


def test_an_admin_deletes_an_uploaded_document(browser, live_server, web_services):
    open_page(browser, live_server, "#/documents/general", "#documents-box table")
    corpus_rows = [r for r in browser.find_elements(By.CSS_SELECTOR, "#documents-box tbody tr") if "코퍼스" in r.text]
    assert all(not r.find_elements(By.TAG_NAME, "button") for r in corpus_rows)  # corpus files stay
    css(browser, f"#documents-box button[aria-label='{UPLOAD_NAME} 삭제']").click()
    confirm = wait_for(browser, lambda d: d.switch_to.alert)
    assert UPLOAD_NAME in confirm.text
    confirm.accept()
    wait_for(browser, lambda d: UPLOAD_NAME not in css(d, "#documents-box").text, message="문서가 목록에 남았습니다")
    assert PDF_NAME in css(browser, "#documents-box").text
    assert UPLOAD_NAME not in web_services.context.state.documents("general")


#: A tiny answer run with three failing cases over two assistants, two categories (and
#: one case without) and three failure kinds: enough for every filter and for paging.
EVAL_CASES_EXTRA = [
    {"id": "cc-x1", "assistant": "childcare", "question": "어린이집 영상 정보는 며칠 동안 보관하나요?",
     "reference_answer": "90일", "category": "기한", "answerable": True,
     "evidence": [{"source": "statutes/childcare/샘플보육운영지침/법률.md", "quote": "영상을 90일 동안 따로 보관한다"}]},
    {"id": "mb-x1", "assistant": "metabolic", "question": "중강도 유산소 운동은 일주일에 몇 분 이상 하라고 권하나요?",
     "reference_answer": "", "evidence": [], "category": "운동", "answerable": False},
]


@pytest.fixture(scope="module")
def eval_run(web_services, tmp_path_factory) -> str:
    """A four-question answer run over the repository's sample corpus (three of them
    fail), stored where the dashboard looks (data_dir/eval/runs), made by the same
    command evaluators use."""
    import json

    from cli.main import main
    from eval.runs import runs_root
    from tests.eval.test_answer_runner import CASES, SAMPLES

    cases = [CASES[0], *EVAL_CASES_EXTRA, CASES[3]]  # passes, fails ×3 (CASES[3] is answered though unanswerable)
    suite = tmp_path_factory.mktemp("suite") / "보육-샘플.jsonl"
    suite.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    data_dir = web_services.settings.data_dir
    code = main(["--profile", "test", "--data-dir", str(data_dir), "eval", "run", "--suite", str(suite),
                 "--corpus", str(SAMPLES), "--llm", "fake", "--name", "웹 화면 확인"])
    assert code == 0
    (run,) = [p.name for p in runs_root(web_services.settings).iterdir() if p.is_dir()]
    return run


def test_the_evaluation_dashboard_shows_a_run_and_its_report(browser, live_server, eval_run, screenshot):
    open_page(browser, live_server, "#/eval", "#runs-box table")
    link = browser.find_element(By.LINK_TEXT, "웹 화면 확인")
    assert browser.execute_script("return decodeURIComponent(arguments[0].hash)", link) == f"#/eval/{eval_run}"
    assert_fits_the_screen(browser)
    assert_accessible(browser, "평가 실행 목록")
    screenshot("10-eval-runs")

    link.click()
    visible(browser, "#run-metrics .metric-cards")
    assert css(browser, "#run-title").text == "평가 실행: 웹 화면 확인"
    assert "토큰 F1" in css(browser, "#run-metrics").text
    visible(browser, "#cases-box table")
    assert_fits_the_screen(browser)
    assert_accessible(browser, "평가 실행")
    screenshot("11-eval-run")
    report = browser.execute_script("return decodeURIComponent(document.getElementById('report-link').pathname)")
    assert report == f"/api/eval/runs/{eval_run}/report"
    frame = css(browser, "#report-frame")
    browser.execute_script("arguments[0].scrollIntoView()", frame)
    browser.switch_to.frame(frame)
    try:
        body = wait_for(browser, lambda d: d.find_element(By.TAG_NAME, "body").text, message="보고서가 비어 있습니다")
        assert "웹 화면 확인" in body
        assert browser.find_elements(By.TAG_NAME, "svg"), "보고서에 그래프가 없습니다"
    finally:
        browser.switch_to.default_content()
    screenshot("12-eval-run-report")


def case_ids(browser) -> list[str]:
    return [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#cases-box tbody th")]


def cases_shown(browser, count_text: str) -> list[str]:
    """Wait until the count line reads `count_text`, then the case ids on the page."""
    wait_for(browser, lambda d: css(d, "#cases-count").text == count_text
             and css(d, "#cases-box").get_attribute("aria-busy") != "true",
             message=f"'{count_text}'이(가) 아니라 '{css(browser, '#cases-count').text}'")
    return case_ids(browser)


def route_query(browser) -> str:
    return browser.execute_script("return decodeURIComponent(location.hash.split('?')[1] || '')")


def test_failing_cases_are_filtered_and_paged(browser, live_server, eval_run, screenshot):
    open_page(browser, live_server, f"#/eval/{eval_run}", "#cases-box table")
    assert sorted(cases_shown(browser, "실패 3건 중 1–3번째")) == ["cc-03", "cc-x1", "mb-x1"]
    assert not css(browser, "#cases-pager").is_displayed()  # one page of 25
    assert [o.text for o in Select(css(browser, "#cases-failure")).options] == ["전체", "답할 수 없는데 답변함 (2)", "인용 근거 불일치 (1)",
                                                 "검색 실패 (1)"]
    assert [o.text for o in Select(css(browser, "#cases-assistant")).options] == [
        "전체", "영유아 보육행정 AI 업무매뉴얼", "AI 기반 대사증후군 상담 매뉴얼"]
    assert [o.text for o in Select(css(browser, "#cases-category")).options] == ["전체", "(분류 없음)", "기한", "운동"]

    # One case a page (the address keeps the choice): the pager walks through all three.
    open_page(browser, live_server, f"#/eval/{eval_run}?limit=1", "#cases-box table")
    first = cases_shown(browser, "실패 3건 중 1–1번째")
    assert css(browser, "#cases-range").text == "1 / 3 쪽"
    assert not css(browser, "#cases-prev").is_enabled() and css(browser, "#cases-next").is_enabled()
    css(browser, "#cases-next").click()
    second = cases_shown(browser, "실패 3건 중 2–2번째")
    assert route_query(browser) == "offset=1&limit=1"
    css(browser, "#cases-next").click()
    third = cases_shown(browser, "실패 3건 중 3–3번째")
    assert sorted(first + second + third) == ["cc-03", "cc-x1", "mb-x1"]
    # The last page disables 다음; the focus moves to 이전 instead of getting lost.
    assert not css(browser, "#cases-next").is_enabled()
    assert browser.switch_to.active_element.get_attribute("id") == "cases-prev"

    # A filter starts again from the first page.
    Select(css(browser, "#cases-failure")).select_by_value("answered_unanswerable")
    assert cases_shown(browser, "실패 2건 중 1–1번째") in (["cc-03"], ["mb-x1"])
    assert route_query(browser) == "failure=answered_unanswerable&limit=1"
    Select(css(browser, "#cases-assistant")).select_by_value("metabolic")
    assert cases_shown(browser, "실패 1건 중 1–1번째") == ["mb-x1"]
    assert not css(browser, "#cases-pager").is_displayed()
    assert "대사증후군" in css(browser, "#cases-box tbody td").text  # the assistant's title, not its code
    Select(css(browser, "#cases-category")).select_by_value("기한")
    assert cases_shown(browser, "조건에 맞는 실패 문항이 없습니다.") == []

    # Reloading the address restores the filters; 조건 지우기 clears them.
    browser.refresh()
    visible(browser, "#cases-filters")
    cases_shown(browser, "조건에 맞는 실패 문항이 없습니다.")
    assert [Select(css(browser, f"#cases-{n}")).first_selected_option.get_attribute("value")
            for n in ("assistant", "category", "failure", "limit")] == ["metabolic", "기한", "answered_unanswerable", "1"]
    css(browser, "#cases-reset").click()
    cases_shown(browser, "실패 3건 중 1–1번째")
    Select(css(browser, "#cases-category")).select_by_visible_text("(분류 없음)")
    assert cases_shown(browser, "실패 1건 중 1–1번째") == ["cc-03"]
    Select(css(browser, "#cases-category")).select_by_value("기한")
    assert cases_shown(browser, "실패 1건 중 1–1번째") == ["cc-x1"]
    assert "검색 실패" in css(browser, "#cases-box tbody tr").text
    Select(css(browser, "#cases-category")).select_by_value("")
    Select(css(browser, "#cases-limit")).select_by_value("25")
    cases_shown(browser, "실패 3건 중 1–3번째")
    assert route_query(browser) == ""
    Select(css(browser, "#cases-limit")).select_by_value("1")
    cases_shown(browser, "실패 3건 중 1–1번째")
    assert css(browser, "#cases-pager").is_displayed()
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", css(browser, "#cases-filters"))
    assert_accessible(browser, "실패한 문항 (필터와 쪽)")
    screenshot("13-eval-failing-cases-paged")


def test_an_admin_reindexes_a_collection(browser, live_server, screenshot):
    open_page(browser, live_server, "#/documents/general", "#reindex-button")
    css(browser, "#reindex-button").click()
    confirm = wait_for(browser, lambda d: d.switch_to.alert)
    assert "general" in confirm.text
    confirm.accept()
    wait_for(browser, lambda d: "다시 색인 완료" in css(d, "#upload-message").text, timeout=30,
             message="다시 색인이 끝나지 않았습니다")
    wait_for(browser, lambda d: css(d, "#reindex-button").is_enabled())
    assert PDF_NAME in css(browser, "#documents-box").text  # the uploaded file is still there, indexed
    assert "색인됨" in css(browser, "#documents-box").text
    screenshot("14-documents-reindexed")


def test_a_lapsed_session_returns_to_the_login_and_back(browser, live_server, web_services, screenshot):
    ensure_signed_in(browser, live_server)
    open_page(browser, live_server, "#/chat/childcare", "#question")
    web_services.accounts.logout(browser.get_cookie("sa_session")["value"])  # expired, as far as the server knows

    ask(browser, CHILDCARE_QUESTION)
    notice = visible(browser, "#login-notice")
    assert notice.text == "로그인이 만료되었습니다. 다시 로그인하세요."
    assert browser.execute_script("return location.hash") == "#/login"
    assert not css(browser, "#site-nav").is_displayed()
    assert_accessible(browser, "로그인 (만료 안내)")
    screenshot("15-session-expired")

    css(browser, "#login-username").send_keys("admin")
    css(browser, "#login-password").send_keys(PASSWORD + Keys.ENTER)
    wait_for(browser, lambda d: d.execute_script("return location.hash") == "#/chat/childcare",
             message="로그인 뒤 원래 화면으로 돌아가지 않았습니다")
    question = visible(browser, "#question")
    assert question.get_attribute("value") == CHILDCARE_QUESTION  # the unsent question is back
    css(browser, "#ask-button").click()
    assert last_answer(browser).find_elements(By.CSS_SELECTOR, ".answer-text button.cite")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#messages .msg-user")) == 1
    # The one expected console error: the refused question (401).
    assert [e for e in console_errors(browser) if "/stream - Failed to load resource" not in e
            or "status of 401" not in e] == []


def test_an_evaluator_chats_and_evaluates_but_does_not_manage_documents(browser, live_server, eval_run, screenshot):
    ensure_signed_in(browser, live_server, "lee")
    assert "평가자" in css(browser, "#user-name").text
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#site-nav a") if a.is_displayed()] == [
        "대화", "문서 관리", "평가"]
    open_page(browser, live_server, "#/chat/childcare", "#question")
    ask(browser, CHILDCARE_QUESTION)
    assert last_answer(browser).find_elements(By.CSS_SELECTOR, ".answer-text button.cite")

    open_page(browser, live_server, "#/documents/general", "#documents-box table")
    assert css(browser, "#documents-readonly").is_displayed()
    assert not css(browser, "#documents-admin").is_displayed()
    assert not [e for e in browser.find_elements(By.CSS_SELECTOR, "#upload-form, #reindex-button, #documents-box button")
                if e.is_displayed()]
    assert "관리" not in [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#documents-box thead th")]
    assert_accessible(browser, "문서 관리 (읽기 전용)")

    css(browser, "#site-nav a[data-page=eval]").click()
    visible(browser, "#runs-box table")
    browser.find_element(By.LINK_TEXT, "웹 화면 확인").click()
    visible(browser, "#run-metrics .metric-cards")
    cases_shown(browser, "실패 3건 중 1–3번째")
    screenshot("16-evaluator-eval-run")


def test_staff_see_documents_read_only_and_no_evaluation(browser, live_server, screenshot):
    ensure_signed_in(browser, live_server, "kim")
    assert not css(browser, "#nav-eval").is_displayed()
    open_page(browser, live_server, "#/documents/childcare", "#documents-box table")
    assert css(browser, "#documents-readonly").is_displayed()
    assert not css(browser, "#documents-admin").is_displayed()
    assert not browser.find_elements(By.CSS_SELECTOR, "#documents-box button")
    screenshot("17-documents-read-only")
    open_page(browser, live_server, "#/eval", "main [role=alert]")
    assert "관리자와 평가자만" in css(browser, "main [role=alert]").text


def test_the_accessibility_check_is_not_vacuous(browser):
    # The same check as on every screen above, on a nameless button and pale text.
    browser.execute_script("""
        const bait = document.createElement('div');
        bait.id = 'axe-bait';
        const pale = document.createElement('p');
        pale.textContent = '흐린 글자';
        pale.style.color = '#c8c8c8';
        bait.append(document.createElement('button'), pale);
        document.getElementById('main').append(bait);""")
    try:
        found = axe_problems(browser)
    finally:
        browser.execute_script("document.getElementById('axe-bait').remove()")
    assert {line.split(" ", 1)[0] for line in found} == {"button-name", "color-contrast"}, found


def test_no_script_errors_or_policy_violations_were_logged(browser):
    # CSP violations and uncaught exceptions land in the console as SEVERE.
    assert console_errors(browser) == []
