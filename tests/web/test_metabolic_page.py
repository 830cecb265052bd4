"""The 대사증후군 상담 매뉴얼's page (/assistants/metabolic) in a real headless chromium: the
form classified into a card (referrals first, the five factors with their thresholds and
sources, the group as a badge, 재검진, SMS and staff, the notice), the boundary (허리둘레
90 cm for a man is abdominal obesity, HDL 40 is not low), a value out of range stopped at
its field and the server's error shown beside the field it names, a pasted record and an
uploaded CSV of two participants (a batch table), the counselling sections and the AI
summary's review, the sheet printed for the participant, the chat beside the form, and no
sideways scroll at 400 px. axe on each state; screenshots at 1366 and 400 px
(test-artifacts/screenshots/metabolic-page-*.png)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.services.container import Services
from ingest.discovery import discover
from tests.api.conftest import build_services
from tests.assistants.metabolic.conftest import write_guide
from tests.web.conftest import require_browser

pytestmark = pytest.mark.browser

require_browser()

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402

from tests.web.test_browser import (  # noqa: E402
    assert_accessible, assert_fits_the_screen, console_errors, css, open_page, sign_in, visible, wait_for)
from tests.web.test_layout import set_viewport  # noqa: E402

PAGE = "assistants/metabolic"
#: A man at the thresholds: 허리둘레 90 (≥ 90: yes), HDL 40 (< 40: no), 공복혈당 130 (a
#: 당뇨병 value: 의사 진료 권고), two blood pressure readings averaging 132/85, PHQ-9 12.
BOUNDARY = {"f-age": "52", "f-height": "172", "f-weight": "80", "f-waist": "90", "f-sys": "134", "f-sys2": "130",
            "f-dia": "86", "f-dia2": "84", "f-fbg": "130", "f-tg": "120", "f-hdl": "40", "f-ldl": "110", "f-tc": "190",
            "f-phq9": "12"}
CSV = ("id,sex,age,waist,sys,dia,fbg,tg,hdl,ldl,tc,medications,new_registration\n"
       "C-1,여,48,86,118,76,92,160,55,100,170,,true\n"
       "C-2,남,55,0,120,80,90,100,50,100,170,고혈압,false\n")


def _counselling_fixture():
    """The counselling guidebook of tests/assistants/metabolic (issue 17's counselling part),
    or None where that part is not in this checkout."""
    try:
        from tests.assistants.metabolic import counselling_fixture
    except ImportError:
        return None
    return counselling_fixture


@pytest.fixture(scope="module")
def web_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The web fixtures' server with the test guide (tests/assistants/metabolic) indexed in
    `metabolic`, so the criteria are read from the index and cited where it states them, and
    the test counselling guidebook beside it."""
    root = tmp_path_factory.mktemp("metabolic-page")
    svc = build_services(root, server={"ingest_on_start": False})
    counselling = _counselling_fixture()
    guide = counselling.write_counselling_corpus(root / "guide") if counselling else write_guide(root / "guide", decoy=False)
    files, _ = discover(guide)
    svc.context.ingest.ingest("metabolic", guide, files, progress=False)
    yield svc
    svc.close()


def fill(browser, values: dict[str, str]) -> None:
    for input_id, text in values.items():
        box = css(browser, f"#{input_id}")
        box.clear()
        box.send_keys(text)


def new_form(browser, live_server, sex: str = "남") -> None:
    open_page(browser, live_server, PAGE, "#record-form")
    wait_for(browser, lambda d: css(d, "#user-name").text, message="로그인한 사용자가 나오지 않습니다")
    Select(css(browser, "#f-sex")).select_by_value(sex)


def card(browser):
    return visible(browser, "#result-card #factor-table")


def factor_rows(browser) -> dict[str, list[str]]:
    rows = browser.find_elements(By.CSS_SELECTOR, "#factor-table tbody tr")
    return {row.get_attribute("data-factor"): [c.text for c in row.find_elements(By.CSS_SELECTOR, "th, td")]
            for row in rows}


def shots(browser, screenshot, name: str, target: str) -> None:
    """Screenshots at a laptop's and a phone's width, scrolled to `target`; neither scrolls sideways."""
    for width, height in ((1366, 900), (400, 800)):
        set_viewport(browser, (width, height))
        assert_fits_the_screen(browser)
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", css(browser, target))
        screenshot(f"metabolic-page-{width}-{name}")
    browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# --- the scenarios (in order, on one browser session) ------------------------------------------

def test_signed_out_the_page_asks_to_sign_in(browser, live_server):
    notice = open_page(browser, live_server, PAGE, "#signin-needed")
    link = notice.find_element(By.CSS_SELECTOR, "a")
    assert link.get_attribute("href") == f"{live_server.url}/#/login?next=/assistants/metabolic"


def test_the_form_is_classified_into_a_card_with_the_referrals_first(browser, live_server, screenshot):
    sign_in(browser, live_server)
    new_form(browser, live_server)
    fill(browser, BOUNDARY)
    css(browser, "#f-new").click()
    css(browser, "#assess-submit").click()
    card(browser)

    sections = browser.find_elements(By.CSS_SELECTOR, "#result-card > *")
    assert sections[0].get_attribute("id") == "referrals"  # before the factors, the group, anything
    referrals = sections[0].text
    assert referrals.index("우울 상담창구 안내") < referrals.index("의사 진료 권고")
    assert "PHQ-9 총점 12점" in referrals and "시험용 정신건강복지센터" in referrals
    assert "공복혈당 130 mg/dL" in referrals

    rows = factor_rows(browser)
    assert list(rows) == ["waist", "bp", "glucose", "tg", "hdl"]
    assert rows["waist"][1:4] == ["허리둘레 90 cm", "허리둘레 ≥ 90 cm (남)", "✓ 해당"]  # the boundary is in
    assert rows["hdl"][1:4] == ["HDL콜레스테롤 40 mg/dL", "HDL콜레스테롤 < 40 mg/dL (남)", "✗ 해당 없음"]
    assert rows["bp"][1].splitlines() == ["수축기혈압 132 mmHg", "이완기혈압 85 mmHg"]  # two readings averaged
    assert all(row[4] == "표 8" for row in rows.values())
    assert css(browser, "#group-badge").text == "대사증후군"
    assert "위험요인 3개" in css(browser, ".group-line").text
    assert css(browser, "#recheck").text.startswith("재검진: 3개월, 6개월, 9개월, 12개월 (총 4회) · 신규 등록자")
    assert "건강관리계획 수립: 의사 (간호사)" in css(browser, "#care-plan").text
    sms = css(browser, "#sms-table tbody").text.splitlines()
    assert sms == ["건강관리(영양·운동) 월 8회 영양사, 운동사", "건강인지 월 1회 건강매니저, 간호사",
                   "방문일자 알림 4회 (재검진 주기에 맞춤) 건강매니저, 간호사"]
    assert css(browser, "#result-notice").text == "이 결과는 검진 결과 분류이며, 최종 진단은 의사가 합니다."
    assert_accessible(browser, "검진 결과 카드")
    shots(browser, screenshot, "card", "#result")


def test_a_source_chip_opens_the_indexed_passage_stating_the_rule(browser, live_server):
    chip = css(browser, '#factor-table tr[data-factor="waist"] button.cite')
    assert "표 8" in chip.get_attribute("aria-label")
    chip.click()
    dialog = visible(browser, "#passage-dialog")
    # The passage itself, fetched by the citation's chunk_id: the whole row of 표 8 as indexed,
    # not only the criterion the card already shows.
    wait_for(browser, lambda d: "|복부비만|- 허리둘레≥90cm(남), ≥85cm(여)|" in dialog.text,
             message="색인된 근거 문단이 열리지 않습니다")
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map((e) => e.name)"
        ".filter((n) => n.includes('/api/passages/metabolic/'))")
    assert fetched, "GET /api/passages/metabolic/{chunk_id}를 부르지 않았습니다"
    assert "다. 군판정" in css(browser, "#passage-title").text
    assert "part-01.md" in dialog.text  # the file it stands in
    css(browser, "#passage-dialog .dialog-close").click()
    wait_for(browser, lambda d: not css(d, "#passage-dialog").is_displayed())
    assert browser.switch_to.active_element == chip


def test_the_print_view_is_plain_korean_with_short_footnotes(browser, live_server, screenshot):
    browser.execute_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    css(browser, "#print-button").click()
    assert browser.execute_script("return window.printed") == 1
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        sheet = visible(browser, "#print-sheet")
        assert not css(browser, ".metabolic-columns").is_displayed()
        assert not css(browser, ".site-header").is_displayed()
        text = sheet.text
        assert "나의 검진 결과 안내" in text and "검진 결과 분류: 대사증후군" in text
        rows = [[c.text for c in r.find_elements(By.CSS_SELECTOR, "th, td")]
                for r in sheet.find_elements(By.CSS_SELECTOR, ".print-factors tbody tr")]
        assert [r[1:] for r in rows] == [["90 cm", "기준을 넘었어요"], ["132 mmHg / 85 mmHg", "기준을 넘었어요"],
                                         ["130 mg/dL", "기준을 넘었어요"], ["120 mg/dL", "기준 안이에요"],
                                         ["40 mg/dL", "기준 안이에요"]]
        assert "다시 검사하는 때: 3개월, 6개월, 9개월, 12개월 뒤" in text
        assert "마음이 힘들 때 도움을 받을 수 있는 곳" in text
        assert "병원 진료를 권해요: 공복 혈당 130 mg/dL (당뇨병 범위의 수치)" in text
        assert "최종 진단은 의사가 합니다" in text
        # Sources as footnotes naming the document, never the file or the heading path.
        footnotes = [li.text for li in sheet.find_elements(By.CSS_SELECTOR, ".footnotes li")]
        table8 = footnotes.index("2025 서울특별시 대사증후군 관리사업 안내서 「다. 군판정」 표 8") + 1
        assert rows[0][0] == f"허리둘레{table8}" and rows[4][0] == f"좋은 콜레스테롤(HDL){table8}"
        assert ".md" not in text and "›" not in text and "mmHg ≥" not in text
        screenshot("metabolic-page-print")
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert not css(browser, "#print-sheet").is_displayed()


def test_a_value_out_of_range_is_stopped_at_its_field(browser, live_server):
    new_form(browser, live_server)
    fill(browser, {"f-waist": "300", "f-sys": "120", "f-dia": "80"})
    css(browser, "#assess-submit").click()
    error = wait_for(browser, lambda d: css(d, "#waist-error").text, message="허리둘레 오류가 나오지 않습니다")
    assert error == "허리둘레 300cm은(는) 허용 범위(40~250cm) 밖입니다: 입력을 확인해 주세요"
    assert css(browser, "#f-waist").get_attribute("aria-invalid") == "true"
    assert browser.switch_to.active_element == css(browser, "#f-waist")
    assert not css(browser, "#result").is_displayed()


def test_the_servers_error_is_shown_beside_the_field_it_names(browser, live_server, screenshot):
    new_form(browser, live_server)
    fill(browser, {"f-waist": "85", "f-sys": "120", "f-dia": "125"})  # in range, but dia above sys
    css(browser, "#assess-submit").click()
    error = wait_for(browser, lambda d: css(d, "#dia-error").text, message="이완기혈압 오류가 나오지 않습니다")
    assert error.startswith("이완기혈압 125mmHg가 수축기혈압 120mmHg 이상입니다") and not error.startswith("dia:")
    assert css(browser, "#f-dia").get_attribute("aria-invalid") == "true"
    assert css(browser, "#waist-error").text == "" and not css(browser, "#result").is_displayed()
    assert_accessible(browser, "이완기혈압 오류")
    screenshot("metabolic-page-1366-server-error")

    fill(browser, {"f-dia": "80"})
    css(browser, "#assess-submit").click()
    card(browser)
    assert css(browser, "#dia-error").text == "" and css(browser, "#f-dia").get_attribute("aria-invalid") is None
    # Without the blood tests three factors cannot be judged (판정 불가, with the reason), nor the group.
    assert css(browser, "#group-badge").text == "군 판정 불가"
    assert factor_rows(browser)["glucose"][3].splitlines() == ["판정 불가", "공복혈당(fbg) 값이 없어 판정할 수 없습니다"]


def test_a_pasted_record_fills_the_form_and_is_classified(browser, live_server):
    new_form(browser, live_server, sex="")
    record = {"id": "P-77", "name": "붙여넣기", "sex": "F", "age": 61, "waist": 84.9, "sys": [128, 132], "dia": [80, 82],
              "fbg": 99, "tg": 150, "hdl": 50, "medications": "고지혈증", "new_registration": False}
    css(browser, "#paste-record").send_keys(json.dumps(record, ensure_ascii=False))
    css(browser, "#paste-fill").click()
    card(browser)
    assert [css(browser, f"#{i}").get_attribute("value") for i in ("f-id", "f-sex", "f-waist", "f-sys", "f-sys2")] == \
        ["P-77", "여", "84.9", "128", "132"]
    assert css(browser, "#f-med-lipid").is_selected() and not css(browser, "#f-med-htn").is_selected()
    assert css(browser, "#group-badge").text == "약물치료군"
    rows = factor_rows(browser)
    assert rows["waist"][3] == "✗ 해당 없음" and rows["tg"][3] == "✓ 해당"

    css(browser, "#paste-record").clear()
    css(browser, "#paste-record").send_keys("{sex: 남")
    css(browser, "#paste-fill").click()
    error = wait_for(browser, lambda d: css(d, "#paste-error").text, message="붙여 넣기 오류가 나오지 않습니다")
    assert "올바른 JSON이 아닙니다" in error


def test_an_uploaded_csv_of_two_participants_becomes_a_batch_table(browser, live_server, tmp_path: Path, screenshot):
    new_form(browser, live_server)
    export = tmp_path / "검진기록.csv"
    export.write_text(CSV, encoding="utf-8")
    css(browser, "#record-file").send_keys(str(export))
    visible(browser, "#batch-table")
    rows = [[c.text for c in r.find_elements(By.CSS_SELECTOR, "th, td")]
            for r in browser.find_elements(By.CSS_SELECTOR, "#batch-table tbody tr")]
    assert [r[0] for r in rows] == ["C-1", "C-2"]
    assert rows[0][1:5] == ["건강주의군", "2", "6개월, 12개월", "—"]
    assert rows[1][1].startswith("입력 오류: waist")  # one bad record, the other classified
    assert css(browser, "#batch-count").text == "2명 분류 · 입력 오류 1명 (나머지는 분류했습니다)"
    assert_accessible(browser, "여러 참여자 분류")
    shots(browser, screenshot, "batch", "#batch")

    css(browser, '#batch-table tr[data-id="C-1"] .batch-open').click()
    card(browser)
    assert css(browser, "#f-id").get_attribute("value") == "C-1" and css(browser, "#f-new").is_selected()
    assert css(browser, "#group-badge").text == "건강주의군"
    css(browser, '#batch-table tr[data-id="C-2"] .batch-open').click()
    assert "허리둘레 0cm" in wait_for(browser, lambda d: css(d, "#waist-error").text)
    assert not css(browser, "#result").is_displayed()

    wrong = tmp_path / "검진기록.xlsx"
    wrong.write_bytes(b"PK\x03\x04")
    css(browser, "#record-file").send_keys(str(wrong))
    error = wait_for(browser, lambda d: css(d, "#file-error").text, message="파일 오류가 나오지 않습니다")
    assert "'검진기록.xlsx'은(는) 읽을 수 없는 형식입니다" in error


# H4's counselling (issue 17): the server's result with `counselling` and `counselling_summary`
# in their documented shape, put in front of the page's own request to /assess.
COUNSELLING = {
    "counselling": [{"factor": "waist", "title": "복부비만: 영양 상담", "passages": [
        {"n": 1, "text": "시험용 상담 문단: 하루 세 끼를 규칙적으로 먹습니다.", "label": "시험용 상담가이드북 › 영양",
         "source": "metabolic/parsed/guide/part-02.md", "locator": "영양", "page": None, "chunk_id": "c-1"}]}],
    "counselling_summary": {"text": "저녁 식사량을 줄이고 규칙적으로 드세요 [1].", "citations": [1], "removed": [],
                            "status": "verified"},
}


def test_counselling_and_the_ai_summary_stay_a_draft_until_reviewed(browser, live_server, screenshot):
    new_form(browser, live_server)
    browser.execute_script("""
        const extra = arguments[0];
        const original = window.fetch;
        window.fetch = async (url, init) => {
          const reply = await original(url, init);
          if (!String(url).endsWith('/api/assistants/metabolic/assess')) return reply;
          const body = await reply.json();
          body.results = body.results.map((r) => ({...r, ...extra}));
          return new Response(JSON.stringify(body), {status: reply.status, headers: reply.headers});
        };""", COUNSELLING)
    fill(browser, {"f-waist": "95", "f-sys": "120", "f-dia": "80"})
    css(browser, "#assess-submit").click()
    visible(browser, "#counselling")
    section = css(browser, '.counselling-section[data-factor="waist"]')
    assert "복부비만: 영양 상담" in section.text and "하루 세 끼를 규칙적으로" in section.text
    assert css(browser, "#review-mark").text == "AI 생성 초안 · 검토 전"
    assert css(browser, "#ai-summary button.cite").text == "1"

    css(browser, "#review-form button").click()
    assert wait_for(browser, lambda d: css(d, "#review-error").text) == "검토한 담당자의 이름을 적어 주세요."
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert "생활 습관 안내 (AI 생성 초안 · 검토 전)" in visible(browser, "#print-sheet").text
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    css(browser, "#review-name").send_keys("김상담")
    css(browser, "#review-form button").click()
    mark = wait_for(browser, lambda d: css(d, "#review-mark").text.startswith("검토:") and css(d, "#review-mark").text)
    assert mark.startswith("검토: 김상담 (20") and browser.find_elements(By.CSS_SELECTOR, "#review-form") == []
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        text = visible(browser, "#print-sheet").text
        assert f"생활 습관 안내 ({mark})" in text and "[1]" not in text and "규칙적으로 드세요." in text
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert_accessible(browser, "상담 내용과 AI 요약")
    shots(browser, screenshot, "counselling", "#counselling")


def test_the_ai_summary_streams_in_from_the_guidebook_marked_a_draft(browser, live_server, screenshot):
    if _counselling_fixture() is None:
        pytest.skip("상담 내용(counselling) 부분이 이 checkout에 없습니다")
    new_form(browser, live_server)
    fill(browser, {"f-waist": "95", "f-sys": "120", "f-dia": "80", "f-fbg": "90", "f-tg": "100", "f-hdl": "55"})
    css(browser, "#assess-submit").click()
    section = visible(browser, '.counselling-section[data-factor="waist"]')
    assert "세 끼를 규칙적으로" in section.text
    assert browser.find_elements(By.CSS_SELECTOR, "#ai-summary") == []  # only when asked for
    css(browser, "#summary-button").click()
    mark = visible(browser, "#review-mark")
    assert mark.text == "AI 생성 초안 · 검토 전"
    summary = css(browser, "#ai-summary")
    assert "세 끼를 규칙적으로" in summary.text
    chip = summary.find_element(By.CSS_SELECTOR, "button.cite")
    chip.click()  # the passage itself, fetched by its chunk_id
    dialog = visible(browser, "#passage-dialog")
    wait_for(browser, lambda d: "상담가이드북" in dialog.text and "시험용 문장으로 체중 조절" in dialog.text)
    css(browser, "#passage-dialog .dialog-close").click()
    assert_accessible(browser, "AI 상담 요약")
    screenshot("metabolic-page-1366-summary")


def test_the_chat_for_free_questions_is_beside_the_form(browser, live_server):
    open_page(browser, live_server, "#/chat/metabolic", "#chat-title")
    link = visible(browser, ".tools-link")  # the chat links to this page as its 업무 도구
    assert link.get_attribute("href") == f"{live_server.url}/assistants/metabolic"
    link.click()
    wait_for(browser, lambda d: css(d, "#user-name").text, message="로그인한 사용자가 나오지 않습니다")
    panel = css(browser, ".chat-panel")
    form = css(browser, ".metabolic-work")
    assert panel.rect["x"] > form.rect["x"] + form.rect["width"] - 1  # beside, at 1366 px
    # A sample question is asked here, in the panel, and answered as the chat page answers.
    visible(browser, "#chat-samples .chat-sample").click()
    log = visible(browser, "#chat-log")
    wait_for(browser, lambda d: d.execute_script(
        "return document.querySelector('#chat-log .msg-assistant[aria-busy=false] .answer') !== null"),
             timeout=30, message="옆 칸에 답변이 나오지 않습니다")
    assert css(browser, "#chat-log .msg-user").text == "허리둘레는 어떻게 재야 하나요?"
    # A follow-up continues the same conversation, which the chat page then shows whole.
    css(browser, "#chat-question").send_keys("금연 상담은 어떻게 하나요?")
    css(browser, "#chat-open").click()
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#chat-log .msg-assistant[aria-busy=false]")) == 2,
             timeout=30, message="이어지는 질문에 답변이 나오지 않습니다")
    assert [m.text for m in log.find_elements(By.CSS_SELECTOR, ".msg-user")] == [
        "허리둘레는 어떻게 재야 하나요?", "금연 상담은 어떻게 하나요?"]
    href = css(browser, "#chat-link").get_attribute("href")
    assert href.startswith(f"{live_server.url}/#/chat/metabolic/"), href
    browser.get(href)
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#chat-log .msg-user, .msg-user")) >= 2,
             message="대화 화면에 옆 칸의 대화가 나오지 않습니다")
    assert "대사증후군" in css(browser, "#chat-title").text


def test_at_400_px_the_page_is_one_column_without_sideways_scroll(browser, live_server, screenshot):
    set_viewport(browser, (400, 800))
    try:
        new_form(browser, live_server)
        fill(browser, BOUNDARY)
        css(browser, "#assess-submit").click()
        card(browser)
        assert_fits_the_screen(browser)
        panel, work = css(browser, ".chat-panel"), css(browser, ".metabolic-work")
        assert panel.rect["y"] >= work.rect["y"] + work.rect["height"] - 1  # below the form, not beside
        browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", css(browser, "#record-form"))
        screenshot("metabolic-page-400-form")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_no_script_errors_or_policy_violations_were_logged(browser):
    # The browser logs the one 400 the tests asked for (the .xlsx upload); nothing else.
    logged = console_errors(browser)  # read once: the browser hands each line out once
    refused = [m for m in logged if "/api/assistants/metabolic/records" in m and "status of 400" in m]
    assert len(refused) == 1 and [m for m in logged if m not in refused] == []
