"""What the CLI and the API share: reading records and surveys (one JSON object, a JSON list,
JSONL, or for records a CSV export), pairing each record with its participant's survey, and classifying every record
(a bad one is reported by its `id`, the others are classified).

Survey by participant: a record's survey is the one whose `survey.patient_id` equals the
record's `id` (or `patient_id`), else the one whose `survey.patient_name` equals the record's
`name`. A single survey naming nobody goes with a single record.

Privacy: nothing about a participant is stored or logged here. Callers audit only that an
assessment was made, by whom, and how many records (`audit_detail`)."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rag.errors import SeoulAssistError
from rag.retrieval.retriever import HybridRetriever

from .assessment import assess
from .counselling import CounsellingGuide, NumberedSections, counselling_view, guides_state, shared_guide
from .criteria import Criteria, load_criteria

if TYPE_CHECKING:
    from ingest.state import IngestState

MAX_RECORDS = 1000
AUDIT_ACTION = "metabolic_assess"


class AssessInputError(SeoulAssistError):
    """The request or file as a whole is wrong; `field` names what."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


#: The file types records are read from, by suffix.
RECORD_FILE_KINDS = {".json": "json", ".jsonl": "json", ".csv": "csv"}
#: CSV columns read as numbers by the record check; in a second reading's column (sys2,
#: dia2) the value joins the first as the record's two readings.
_CSV_SECOND_READINGS = {"sys2": "sys", "dia2": "dia"}
_CSV_TRUE = {"true", "1", "예", "y", "yes", "o", "신규"}
_CSV_FALSE = {"false", "0", "아니오", "n", "no", "x", "재등록"}


def parse_records_text(text: str, field: str = "file", kind: str = "json") -> list:
    """kind "json": a JSON list, one JSON object, or JSONL (one object a line); kind "csv":
    a header row of the record's field names (sex, age, waist, sys, dia, … and optionally
    sys2, dia2, medications, new_registration), then one record a row."""
    stripped = text.strip().lstrip("\ufeff")
    if not stripped:
        raise AssessInputError(field, "참여자 기록이 비어 있습니다")
    if kind == "csv":
        return records_of(_csv_records(stripped, field), field)
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


def parse_records_file(filename: str, data: bytes, field: str = "file") -> list:
    """An uploaded export: .json, .jsonl or .csv, in UTF-8 (with or without BOM) or, as Excel
    saves a Korean CSV, CP949."""
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = RECORD_FILE_KINDS.get(suffix)
    if kind is None:
        raise AssessInputError(field, f"'{filename}'은(는) 읽을 수 없는 형식입니다: JSON, JSONL 또는 CSV 파일을 올려 주세요")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp949")
        except UnicodeDecodeError:
            raise AssessInputError(field, f"'{filename}'을(를) 글자로 읽을 수 없습니다: UTF-8 또는 CP949로 "
                                          "저장해 주세요") from None
    return parse_records_text(text, field, kind)


def _csv_records(text: str, field: str) -> list[dict]:
    rows = list(csv.reader(io.StringIO(text)))
    header = [name.strip() for name in rows[0]]
    if "sex" not in header:
        raise AssessInputError(field, "CSV 첫 줄은 항목 이름이어야 합니다 (id, sex, age, waist, sys, dia, fbg, tg, "
                                      "hdl, …): 'sex' 열이 없습니다")
    duplicated = sorted({name for name in header if name and header.count(name) > 1})
    if duplicated:
        raise AssessInputError(field, f"CSV 첫 줄에 같은 항목 이름이 두 번 있습니다: {', '.join(duplicated)}")
    records = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            raise AssessInputError(field, f"CSV {number}번째 줄의 칸이 {len(row)}개로 첫 줄의 항목 "
                                          f"{len(header)}개보다 많습니다: 쉼표가 든 값은 큰따옴표로 감싸 주세요")
        records.append(_csv_record(dict(zip(header, (cell.strip() for cell in row)))))
    return records


def _csv_record(cells: dict[str, str]) -> dict:
    """One row as the JSON record it stands for: empty cells left out, a second blood
    pressure reading joined to the first, medications split, new_registration a boolean
    where it reads as one (anything else is left for the record check to name)."""
    record: dict[str, Any] = {}
    for name, value in cells.items():
        if not name or value == "" or name in _CSV_SECOND_READINGS:
            continue
        if name == "medications":
            record[name] = [m for m in re.split(r"[,;/|·]", value) if m.strip()]
        elif name == "new_registration":
            lowered = value.lower()
            record[name] = True if lowered in _CSV_TRUE else False if lowered in _CSV_FALSE else value
        else:
            record[name] = value
    for second, first in _CSV_SECOND_READINGS.items():
        if cells.get(second):
            record[first] = [record[first], cells[second]] if first in record else [cells[second]]
    return record


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


def assess_all(records: Sequence[Any], criteria: Criteria, surveys: Sequence[Mapping] = (),
               counsel: Callable[[dict, Mapping | None], None] | None = None) -> list[dict]:
    """One result per record, in order, each carrying the record's `id` (or #position).
    `counsel(result, survey)`, when given, fills each classified result's counselling
    (counselling.py; the CLI's --llm also its summary, summary.py)."""
    results = []
    single = len(records) == 1
    for position, record in enumerate(records, start=1):
        survey = survey_for(record, surveys, single)
        result = assess(record, criteria, survey, position=position)
        if surveys and survey is None and "errors" not in result:
            result["warnings"].append({"field": "survey", "message": "survey: 이 참여자의 기초설문을 찾지 못했습니다 "
                                                                      "(id 또는 이름으로 찾음)"})
        if counsel is not None and "errors" not in result:
            counsel(result, survey)
        results.append(result)
    return results


_CRITERIA_LOCK = threading.Lock()
#: retriever id → (retriever, collection, guides' state, criteria): the last read per index.
_CRITERIA: dict[int, tuple[HybridRetriever, str, tuple, Criteria]] = {}
_CRITERIA_MAX = 8  # indexes open in one process (tests open many; a server one)


def criteria_for(retriever: HybridRetriever, collection: str, state: "IngestState | None" = None) -> Criteria:
    """The criteria read from the index (load_criteria). With the ingest `state`, read once
    per state of the guides (their content hashes, as the counselling cache keys them), not
    on every request: the tables change only when a guide is indexed again."""
    if state is None:
        return load_criteria(retriever, collection)
    guides = guides_state(state.documents(collection))
    with _CRITERIA_LOCK:
        kept = _CRITERIA.get(id(retriever))
    if kept is not None and kept[0] is retriever and kept[1:3] == (collection, guides):
        return kept[3]
    criteria = load_criteria(retriever, collection)
    with _CRITERIA_LOCK:
        _CRITERIA[id(retriever)] = (retriever, collection, guides, criteria)
        while len(_CRITERIA) > _CRITERIA_MAX:
            del _CRITERIA[next(iter(_CRITERIA))]
    return criteria


def counselling_guide(retriever: HybridRetriever, state: IngestState) -> CounsellingGuide:
    """The guide kept for this index; its cache is keyed by the guides' content hashes."""
    return shared_guide(retriever, lambda collection: guides_state(state.documents(collection)))


Summarise = Callable[[NumberedSections, dict, "Mapping | None"], "dict | None"]


def counsel_with(guide: CounsellingGuide, collection: str,
                 summarise: Summarise | None = None) -> Callable[[dict, Mapping | None], None]:
    """`assess_all`'s `counsel`: each result's counselling and, with `summarise`, its summary."""
    def counsel(result: dict, survey: Mapping | None) -> None:
        sections = guide.numbered_sections(collection, result, survey)
        result["counselling"] = counselling_view(sections)
        if summarise is not None:
            result["counselling_summary"] = summarise(sections, result, survey)

    return counsel


def one_record(data: Any) -> tuple[Any, Mapping | None]:
    """The record (and its survey) a summary is asked for: {"record": …, "survey": …}, or
    the record alone. A summary is made for one participant at a time."""
    if isinstance(data, Mapping) and ("record" in data or "records" in data):
        field = "record" if "record" in data else "records"
        records, surveys = records_of(data[field], field), surveys_of(data.get("survey"), "survey")
    else:
        field, records, surveys = "body", records_of(data, "body"), []
    if len(records) != 1:
        raise AssessInputError(field, f"요약은 참여자 한 명씩 만듭니다 (받은 기록 {len(records)}건)")
    return records[0], survey_for(records[0], surveys, single=True)


def audit_detail(results: Sequence[dict]) -> str:
    """What the audit log may hold: counts only, never a value, a name or an id."""
    failed = sum(1 for r in results if "errors" in r)
    return f"{len(results)}건 분류" + (f" (오류 {failed}건)" if failed else "")
