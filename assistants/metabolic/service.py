"""What the CLI and the API share: reading records and surveys (one JSON object, a JSON list,
or JSONL), pairing each record with its participant's survey, and classifying every record
(a bad one is reported by its `id`, the others are classified).

Survey by participant: a record's survey is the one whose `survey.patient_id` equals the
record's `id` (or `patient_id`), else the one whose `survey.patient_name` equals the record's
`name`. A single survey naming nobody goes with a single record.

Privacy: nothing about a participant is stored or logged here. Callers audit only that an
assessment was made, by whom, and how many records (`audit_detail`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from rag.errors import SeoulAssistError
from rag.retrieval.retriever import HybridRetriever

from .assessment import assess
from .criteria import Criteria, load_criteria

MAX_RECORDS = 1000
AUDIT_ACTION = "metabolic_assess"


class AssessInputError(SeoulAssistError):
    """The request or file as a whole is wrong; `field` names what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def parse_records_text(text: str, field: str = "file") -> list:
    """A JSON list, one JSON object, or JSONL (one object a line)."""
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise AssessInputError(field, "참여자 기록이 비어 있습니다")
    try:
        data = json.loads(stripped)
    except ValueError:
        data = _jsonl(stripped, field)
    return records_of(data, field)


def _jsonl(text: str, field: str) -> list:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except ValueError:
            raise AssessInputError(field, f"{number}번째 줄이 올바른 JSON이 아닙니다: JSON 목록, JSON 객체 하나, "
                                          "또는 한 줄에 객체 하나(JSONL)로 보내 주세요") from None
    return records


def records_of(data: Any, field: str = "records") -> list:
    records = data if isinstance(data, list) else [data]
    if not records:
        raise AssessInputError(field, "참여자 기록이 없습니다")
    if len(records) > MAX_RECORDS:
        raise AssessInputError(field, f"한 번에 {MAX_RECORDS}건까지 분류합니다 (받은 기록 {len(records)}건)")
    return records


def surveys_of(data: Any, field: str = "survey") -> list[Mapping]:
    """A survey in the shape of survey_data.json's entries, or a list of them."""
    if data is None:
        return []
    surveys = data if isinstance(data, list) else [data]
    for number, survey in enumerate(surveys, start=1):
        if not isinstance(survey, Mapping):
            raise AssessInputError(field, f"{number}번째 기초설문이 JSON 객체가 아닙니다")
    return surveys


def parse_surveys_text(text: str, field: str = "survey") -> list[Mapping]:
    try:
        data = json.loads(text.strip().lstrip("\ufeff"))
    except ValueError:
        raise AssessInputError(field, "기초설문 파일이 올바른 JSON이 아닙니다") from None
    return surveys_of(data, field)


def survey_for(record: Any, surveys: Sequence[Mapping], single: bool) -> Mapping | None:
    if not isinstance(record, Mapping) or not surveys:
        return None
    ids = {str(record[k]) for k in ("id", "patient_id") if record.get(k) not in (None, "")}
    name = record.get("name")
    for survey in surveys:
        if _who(survey)[0] in ids and ids:
            return survey
    for survey in surveys:
        if name and _who(survey)[1] == name:
            return survey
    if single and len(surveys) == 1 and _who(surveys[0]) == ("", ""):
        return surveys[0]
    return None


def _who(survey: Mapping) -> tuple[str, str]:
    head = survey.get("survey") if isinstance(survey.get("survey"), Mapping) else survey
    patient_id = head.get("patient_id")
    return ("" if patient_id in (None, "") else str(patient_id)), str(head.get("patient_name") or "")


def assess_all(records: Sequence[Any], criteria: Criteria, surveys: Sequence[Mapping] = ()) -> list[dict]:
    """One result per record, in order, each carrying the record's `id` (or #position)."""
    results = []
    single = len(records) == 1
    for position, record in enumerate(records, start=1):
        survey = survey_for(record, surveys, single)
        result = assess(record, criteria, survey, position=position)
        if surveys and survey is None and "errors" not in result:
            result["warnings"].append({"field": "survey", "message": "survey: 이 참여자의 기초설문을 찾지 못했습니다 "
                                                                      "(id 또는 이름으로 찾음)"})
        results.append(result)
    return results


def criteria_for(retriever: HybridRetriever, collection: str) -> Criteria:
    return load_criteria(retriever, collection)


def audit_detail(results: Sequence[dict]) -> str:
    """What the audit log may hold: counts only, never a value, a name or an id."""
    failed = sum(1 for r in results if "errors" in r)
    return f"{len(results)}건 분류" + (f" (오류 {failed}건)" if failed else "")
