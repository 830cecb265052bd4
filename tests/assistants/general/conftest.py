"""Short test statutes standing in for 「민원 처리에 관한 법률」 and its 시행령 (written for
these tests, not the official text), so the deadline's basis can quote an indexed article
and a chat answer can cite one."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_text

MINWON_SOURCE = "statutes/admin/민원처리에관한법률/법률.md"
MINWON = """---
제목: 민원 처리에 관한 법률
법령구분: 법률
시행일자: 2025-01-01
상태: 시행
---

# 민원 처리에 관한 법률

##### 제19조 (처리기간의 계산)

**①** 시험용 조문: 처리기간이 5일 이하이면 시간 단위로 계산한다.

**②** 시험용 조문: 처리기간이 6일 이상이면 일 단위로 계산하고 첫날을 산입한다.

##### 제20조 (관계 기관ㆍ부서 간의 협조)

시험용 조문: 협조에 관한 내용이다.
"""


MINWON_DECREE_SOURCE = "statutes/admin/민원처리에관한법률/시행령.md"
MINWON_DECREE = """---
제목: 민원 처리에 관한 법률 시행령
법령구분: 대통령령
시행일자: 2025-07-01
상태: 시행
---

# 민원 처리에 관한 법률 시행령

##### 제19조 (처리기간의 계산)

시험용 조문: 처리기간을 즉시로 정한 경우에는 3근무시간 이내에 처리한다.

##### 제20조 (처리기간에 산입하지 않는 기간)

시험용 조문: 보완에 드는 기간은 처리기간에 산입하지 않는다.
"""


def write_minwon_decree(root: Path) -> Path:
    """The corpus root `root` holding the test 시행령; returns its folder."""
    return write_text(root, MINWON_DECREE_SOURCE, MINWON_DECREE).parent


def write_minwon_statute(root: Path) -> Path:
    """The corpus root `root` holding the test statute; returns its folder."""
    return write_text(root, MINWON_SOURCE, MINWON).parent
