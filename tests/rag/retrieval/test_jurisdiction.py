"""A question naming its side (구청, 국가기관 …) is answered from the law written for that
side when the state's and the local governments' twins are both retrieved."""

from __future__ import annotations

from pathlib import Path

import pytest

from appcontext import AppContext
from ingest.discovery import discover
from rag.config import load_settings
from rag.retrieval.jurisdiction import law_side, prefer_side, question_side, twin_name
from rag.retrieval.results import RetrievedChunk

from tests.conftest import write_text


def hit(cid: str, title: str) -> RetrievedChunk:
    return RetrievedChunk(id=cid, score=1.0, source=f"statutes/admin/{title}/법률.md", title=title,
                          locator="제18조", text="병가")


@pytest.mark.parametrize("question, side", [
    ("구청 공무원인데 병가 며칠 넘으면 진단서 내야 돼?", "local"),
    ("구립어린이집 공사 준공검사는 언제까지 해야 하나요?", "local"),
    ("몇 년 전에 구 보조금으로 산 건물을 팔아도 되나요?", "local"),
    ("국고보조금 교부결정 취소에 이의신청 기한이 며칠이야?", "national"),
    ("부처 소속 기관인데 물가변동으로 계약금액을 올려줘야 하나요?", "national"),
    ("병가는 1년에 며칠까지 쓸 수 있어요?", None),  # names neither
    ("정보공개 청구할 때 구비서류가 뭐예요?", None),  # 구비, not 구 예산
    ("부처님오신날에 당직 서면 대체휴무 받나요?", None),
    ("구청에서 국고보조금을 받아 집행할 때 정산은 언제 하나요?", None),  # names both
])
def test_the_side_a_question_names(question, side):
    assert question_side(question) == side


def test_twins_share_a_name_once_their_side_is_taken_out():
    pairs = [("국가공무원 복무규정", "지방공무원 복무규정"),
             ("국가를 당사자로 하는 계약에 관한 법률 시행령", "지방자치단체를 당사자로 하는 계약에 관한 법률 시행령"),
             ("보조금 관리에 관한 법률", "지방자치단체 보조금 관리에 관한 법률")]
    for national, local in pairs:
        assert twin_name(national) == twin_name(local)
        assert (law_side(national), law_side(local)) == ("national", "local")
    assert twin_name("국가공무원 복무규정 시행규칙") != twin_name("지방공무원 복무규정")


def test_the_other_sides_twin_goes_last_and_everything_else_stays_in_order():
    hits = [hit("a", "국가공무원 복무규정"), hit("b", "지방공무원 복무규정"), hit("c", "행정기본법"),
            hit("d", "국가공무원 복무규정")]

    assert [h.id for h in prefer_side("구청 주무관인데 병가 며칠까지 돼요?", hits)] == ["b", "c", "a", "d"]
    assert [h.id for h in prefer_side("중앙부처 공무원인데 병가 며칠까지 돼요?", hits)] == ["a", "c", "d", "b"]
    assert [h.id for h in prefer_side("병가 며칠까지 돼요?", hits)] == ["a", "b", "c", "d"]
    # A law whose twin was not retrieved stays where retrieval put it.
    alone = [hit("a", "국가공무원 복무규정"), hit("c", "행정기본법")]
    assert [h.id for h in prefer_side("구청 주무관인데 병가 며칠까지 돼요?", alone)] == ["a", "c"]


TWIN = """---
제목: {title}
법령구분: 대통령령
시행일자: 2025-01-01
상태: 시행
---

# {title}

##### 제18조 (병가)

**①** 행정기관의 장은 소속 공무원이 질병으로 직무를 수행할 수 없을 때에는 연 60일의 범위에서 병가를 승인할 수 있다.

**②** 병가 일수가 연간 6일을 초과하는 경우에는 의사의 진단서를 첨부하여야 한다.{extra}
"""
# The state's version shares more of the question's words: retrieval alone ranks it first.
EXTRA = {"국가공무원 복무규정": " 병가 진단서는 병가를 신청할 때 낸다.", "지방공무원 복무규정": ""}
QUESTION = "구청 주무관인데 병가 6일 넘으면 진단서 내야 돼요?"


@pytest.mark.parametrize("prefer", [True, False])
def test_the_retriever_answers_a_local_question_from_the_local_law(tmp_path: Path, prefer: bool):
    root = tmp_path / "corpus"
    for title, extra in EXTRA.items():
        write_text(root, f"statutes/admin/{title.replace(' ', '')}/시행령.md", TWIN.format(title=title, extra=extra))
    ctx = AppContext(load_settings("test", data_dir=tmp_path / "data", retrieval={"prefer_side": prefer}))
    try:
        files, _ = discover(root)
        ctx.ingest.ingest("general", root, files, progress=False)
        ctx.ingest.embed_pending("general", progress=False)
        hits = ctx.retriever.search(QUESTION, "general", k=4)
    finally:
        ctx.close()

    assert [h.title for h in hits] == (["지방공무원 복무규정", "국가공무원 복무규정"] if prefer
                                      else ["국가공무원 복무규정", "지방공무원 복무규정"])
