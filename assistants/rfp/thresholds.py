"""The numbers the RFP rules use, as the law states them: read from the indexed article
text, with the built-in copy (`BUILTIN`) only where the article is not indexed.
tests/assistants/rfp/test_thresholds_real.py fails when the two differ."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .statutes import EGOV_DECREE, LOCAL_DECREE, NATIONAL_DECREE, SW_ACT, SW_DECREE, ArticleSource, article_text

EOK = 100_000_000


@dataclass(frozen=True)
class NoticeBand:
    """추정가격 below `below_krw` (None: no upper bound) → announce `days` before."""

    below_krw: int | None
    days: int


@dataclass(frozen=True)
class Thresholds:
    audit_budget_krw: int  # 전자정부법 시행령 제71조①2: 정보시스템 구축사업 사업비 5억원 이상
    subcontract_cap_percent: int  # 소프트웨어 진흥법 제51조①: 100분의 50
    defect_liability_years: int  # 제60조①: 1년
    long_term_years: int  # 제45조②: 1년을 초과하면 장기계속계약
    impact_days: int  # 시행령 제35조①2: 입찰공고일 30일 전
    impact_urgent_days: int  # (긴급한 경우에는 10일 전)
    local_negotiated_notice: tuple[NoticeBand, ...]  # 지방계약법 시행령 제35조⑤
    local_urgent_days: int  # 같은 조 ⑥
    national_negotiated_days: int  # 국가계약법 시행령 제35조⑤ 본문: 40일
    national_short_days: int  # 같은 항 단서: 10일 (추정가격이 고시금액 미만 등)

    def local_days(self, estimated_krw: int) -> int:
        for band in self.local_negotiated_notice:
            if band.below_krw is None or estimated_krw < band.below_krw:
                return band.days
        return self.local_negotiated_notice[-1].days


BUILTIN = Thresholds(
    audit_budget_krw=5 * EOK, subcontract_cap_percent=50, defect_liability_years=1, long_term_years=1,
    impact_days=30, impact_urgent_days=10,
    local_negotiated_notice=(NoticeBand(1 * EOK, 10), NoticeBand(10 * EOK, 20), NoticeBand(None, 40)),
    local_urgent_days=10, national_negotiated_days=40, national_short_days=10,
)


@dataclass(frozen=True)
class ReadThresholds:
    values: Thresholds
    missing: tuple[str, ...]  # the values not found in the index (the built-in copy used)


def read_thresholds(source: ArticleSource) -> ReadThresholds:
    """Each value from its article's text; where the article or the sentence is not there,
    the built-in value, named in `missing`."""
    missing: list[str] = []

    def number(law: str, article: str, pattern: str, name: str, default: int) -> int:
        found = re.search(pattern, _flat(article_text(source, law, article)))
        if not found:
            missing.append(f"{name} ({law} {article})")
            return default
        return int(found.group(1))

    audit = number(EGOV_DECREE, "제71조", r"정보시스템 구축사업으로서 사업비가 (\d+)억원 이상", "감리 대상 사업비",
                   BUILTIN.audit_budget_krw // EOK) * EOK
    cap = number(SW_ACT, "제51조", r"소프트웨어사업금액의 100분의 (\d+)을 초과하여 하도급할 수 없다", "하도급 한도",
                 BUILTIN.subcontract_cap_percent)
    defect = number(SW_ACT, "제60조", r"부터 (\d+)년 이내에 발생한 하자", "하자담보 기간", BUILTIN.defect_liability_years)
    long_term = number(SW_ACT, "제45조", r"적정 사업기간이 (\d+)년을 초과하는 경우", "장기계속계약 기준",
                       BUILTIN.long_term_years)
    impact = number(SW_DECREE, "제35조", r"입찰공고일 (\d+)일 전\(긴급한 경우에는 \d+일 전\)까지", "영향평가 기한",
                    BUILTIN.impact_days)
    impact_urgent = number(SW_DECREE, "제35조", r"입찰공고일 \d+일 전\(긴급한 경우에는 (\d+)일 전\)까지",
                           "영향평가 긴급 기한", BUILTIN.impact_urgent_days)
    local_bands, local_urgent = _local_notice(source, missing)
    national_text = _paragraph(_flat(article_text(source, NATIONAL_DECREE, "제35조")), "⑤", "⑥")
    national = re.search(r"제안서 제출마감일의 전날부터 기산하여 (\d+)일 전에 공고하여야 한다", national_text)
    national_short = re.search(r"(\d+)일 전까지 공고할 수 있다", national_text)
    if not (national and national_short):
        missing.append(f"협상에 의한 계약 입찰공고 기간 ({NATIONAL_DECREE} 제35조⑤)")
    return ReadThresholds(Thresholds(
        audit_budget_krw=audit, subcontract_cap_percent=cap, defect_liability_years=defect, long_term_years=long_term,
        impact_days=impact, impact_urgent_days=impact_urgent, local_negotiated_notice=local_bands,
        local_urgent_days=local_urgent,
        national_negotiated_days=int(national.group(1)) if national else BUILTIN.national_negotiated_days,
        national_short_days=int(national_short.group(1)) if national_short else BUILTIN.national_short_days,
    ), tuple(missing))


def _local_notice(source: ArticleSource, missing: list[str]) -> tuple[tuple[NoticeBand, ...], int]:
    text = _flat(article_text(source, LOCAL_DECREE, "제35조"))
    fifth = _paragraph(text, "⑤", "⑥")
    bands: list[NoticeBand] = []
    for match in re.finditer(r"추정가격이 (?:\d+억원 이상 )?(\d+)억원 (미만|이상)인 경우 (\d+)일", fifth):
        below = int(match.group(1)) * EOK if match.group(2) == "미만" else None
        bands.append(NoticeBand(below, int(match.group(3))))
    urgent = re.search(r"(\d+)일 전까지 공고할 수 있다", _paragraph(text, "⑥", "⑦"))
    if not bands or bands[-1].below_krw is not None or not urgent:
        missing.append(f"협상에 의한 계약 입찰공고 기간 ({LOCAL_DECREE} 제35조⑤⑥)")
        return BUILTIN.local_negotiated_notice, BUILTIN.local_urgent_days
    return tuple(bands), int(urgent.group(1))


def _paragraph(text: str, mark: str, next_mark: str) -> str:
    start = text.find(mark)
    if start < 0:
        return ""
    end = text.find(next_mark, start)
    return text[start:end if end >= 0 else len(text)]


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)
