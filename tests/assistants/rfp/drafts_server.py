"""A server on fakes for the saved-draft tests: the test profile's sample corpus plus a short
소프트웨어 진흥법 (three articles, so a draft's citations of them are indexed and others are
not), users kim and park (staff), lee (evaluator) and admin, and a client per user."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.services.container import Services
from tests.api.conftest import PASSWORD, build_services, login
from tests.conftest import write_text

DRAFTS = "/api/assistants/rfp/drafts"

SW_ACT_SOURCE = "statutes/procurement/소프트웨어 진흥법/법률.md"
SW_ACT = """---
제목: 소프트웨어 진흥법
법령구분: 법률
소관부처:
- 과학기술정보통신부
시행일자: 2024-02-17
상태: 시행
---

# 소프트웨어 진흥법

##### 제49조 (소프트웨어사업의 계약방법)

**①** 국가기관등의 장은 소프트웨어사업을 발주하는 경우 협상에 의한 계약 또는 경쟁적 대화에 의한 계약을 우선 적용하여야 한다.

##### 제51조 (소프트웨어사업의 하도급 제한)

**①** 소프트웨어사업을 도급받은 자는 사업금액의 100분의 50을 초과하여 하도급할 수 없다.

##### 제60조 (하자담보책임)

**①** 소프트웨어사업자의 하자담보책임기간은 1년으로 한다.
"""

FORM = {
    "project_name": "청소년 상담 예약시스템 구축", "agency": "서울특별시", "agency_type": "지방자치단체",
    "budget_krw": 330_000_000, "vat_included": True, "period_months": 8, "project_type": "신규 구축",
    "summary": "청소년 상담센터의 상담 예약과 상담사 일정 관리를 온라인으로 처리하는 상담 예약시스템을 구축한다.\n"
               "- 청소년이 모바일로 상담을 예약하는 기능\n- 상담사 일정 관리와 알림 문자 발송",
}


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    root = tmp_path_factory.mktemp("rfp_drafts")
    write_text(root / "corpus", SW_ACT_SOURCE, SW_ACT)
    svc = build_services(root)
    svc.accounts.create_user("park", PASSWORD, "staff")
    yield svc
    svc.close()


@pytest.fixture(scope="module")
def app(services: Services):
    return create_app(services, start_background=False)


def _client(app, username: str) -> Iterator[TestClient]:
    with TestClient(app) as client:
        login(client, username)
        yield client


@pytest.fixture
def kim(app) -> Iterator[TestClient]:
    yield from _client(app, "kim")


@pytest.fixture
def park(app) -> Iterator[TestClient]:
    yield from _client(app, "park")


@pytest.fixture
def admin(app) -> Iterator[TestClient]:
    yield from _client(app, "admin")


def ok(reply) -> dict:
    assert reply.status_code == 200, reply.text
    return reply.json()


def error(reply, status: int, field: str | None = None) -> dict:
    assert reply.status_code == status, reply.text
    body = reply.json()["error"]
    if field is not None:
        assert body["field"] == field, body
    return body
