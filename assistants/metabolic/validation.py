"""Checking one participant record before it is classified: impossible values are errors
naming the field (the record is not classified), unusual ones are warnings (it is).

Record shape (that of synthetic_personas/test_data.json, plus three fields):
  sex 남/여 (or M/F, 남성/여성), age, height, weight, waist (cm), sys, dia (mmHg), fbg, tg,
  hdl, ldl, tc (mg/dL); `medications`: any of 고혈압, 당뇨병, 이상지질혈증 (a list, or one
  string separated by commas); `new_registration`: true for a newly registered participant.
  Two blood-pressure readings are given as lists, `"sys": [134, 130], "dia": [86, 84]`
  (the same number of readings each); they are averaged. Numbers may be JSON numbers or
  numeric strings ("92.5"); anything else in a number field is an error."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from .criteria import MEDICATIONS, Eligibility

#: Values outside these cannot be a measurement of a living adult (or of this programme's
#: devices): the record is refused with the field named.
PLAUSIBLE = {
    "waist": (40.0, 250.0, "cm", "허리둘레"),
    "sys": (50.0, 300.0, "mmHg", "수축기혈압"),
    "dia": (20.0, 200.0, "mmHg", "이완기혈압"),
    "fbg": (10.0, 2000.0, "mg/dL", "공복혈당"),
    "tg": (5.0, 10000.0, "mg/dL", "중성지방"),
    "hdl": (1.0, 300.0, "mg/dL", "HDL콜레스테롤"),
    "ldl": (1.0, 1000.0, "mg/dL", "LDL콜레스테롤"),
    "tc": (20.0, 1500.0, "mg/dL", "총콜레스테롤"),
    "height": (100.0, 250.0, "cm", "키"),
    "weight": (20.0, 400.0, "kg", "몸무게"),
}
_SEX = {"남": "남", "남성": "남", "남자": "남", "m": "남", "male": "남",
        "여": "여", "여성": "여", "여자": "여", "f": "여", "female": "여"}
_MEDICATION_NAMES = {"고혈압": "고혈압", "당뇨병": "당뇨병", "당뇨": "당뇨병", "이상지질혈증": "이상지질혈증",
                     "고지혈증": "이상지질혈증"}
_MAX_READINGS = 2


@dataclass(frozen=True)
class Problem:
    field: str
    message: str

    def to_dict(self) -> dict:
        return {"field": self.field, "message": f"{self.field}: {self.message}"}


@dataclass
class Checked:
    """A record's values as numbers, blood pressure averaged; None where not given."""

    sex: str
    age: int | None
    values: dict[str, float | None]  # waist, sys, dia (averages), fbg, tg, hdl, ldl, tc, height, weight
    readings: dict[str, tuple[float, ...]]  # sys, dia as measured
    medications: tuple[str, ...] | None  # None: the record does not say
    new_registration: bool | None
    warnings: list[Problem] = field(default_factory=list)


class RecordInvalid(ValueError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


def record_id(record: object, position: int) -> object:
    """What identifies a record in a batch's results: its `id`, else its position (1-based)."""
    if isinstance(record, Mapping) and record.get("id") not in (None, ""):
        return record["id"]
    return f"#{position}"


def check_record(record: object, eligibility: Eligibility) -> Checked:
    """The record's values, or RecordInvalid listing every impossible one."""
    if not isinstance(record, Mapping):
        raise RecordInvalid([Problem("record", "참여자 기록은 JSON 객체여야 합니다 ({\"sex\": \"남\", \"waist\": 92, …})")])
    problems: list[Problem] = []
    warnings: list[Problem] = []
    sex = _sex(record, problems)
    age = _age(record, problems, warnings, eligibility)
    values: dict[str, float | None] = {}
    readings: dict[str, tuple[float, ...]] = {}
    for name in PLAUSIBLE:
        if name in ("sys", "dia"):
            measured = _readings(record, name, problems)
            readings[name] = measured
            values[name] = sum(measured) / len(measured) if measured else None
        else:
            values[name] = _number(record, name, problems)
    for extra in ("sys2", "dia2"):
        if extra in record:
            base = extra[:-1]
            problems.append(Problem(extra, f"두 번째 측정값은 \"{base}\": [첫째, 둘째]처럼 {base}의 목록으로 보내 주세요"))
    _blood_pressure_pairs(readings, problems)
    medications = _medications(record, problems)
    new_registration = _new_registration(record, problems)
    if problems:
        raise RecordInvalid(problems)
    return Checked(sex, age, values, readings, medications, new_registration, warnings)


def _sex(record: Mapping, problems: list[Problem]) -> str:
    raw = record.get("sex")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        problems.append(Problem("sex", "성별이 없습니다: 남 또는 여(M/F)로 적어 주세요 (허리둘레·HDL 기준이 성별로 다릅니다)"))
        return ""
    sex = _SEX.get(str(raw).strip().lower()) if isinstance(raw, str) else None
    if sex is None:
        problems.append(Problem("sex", f"알 수 없는 성별 '{raw}'입니다: 남 또는 여(M/F)로 적어 주세요"))
        return ""
    return sex


def _age(record: Mapping, problems: list[Problem], warnings: list[Problem], eligibility: Eligibility) -> int | None:
    age = _number(record, "age", problems, plausible=(0, 120), unit="세", label="나이")
    if age is None:
        if "age" not in record or record.get("age") is None:
            warnings.append(Problem("age", f"나이가 없어 사업 대상(만 {eligibility.min_age}~{eligibility.max_age}세)인지 "
                                           "확인하지 못했습니다"))
        return None
    if not float(age).is_integer():
        problems.append(Problem("age", f"나이는 만 나이(정수)로 적어 주세요: '{record.get('age')}'"))
        return None
    if not eligibility.min_age <= age <= eligibility.max_age:
        warnings.append(Problem("age", f"만 {int(age)}세는 사업 대상(만 {eligibility.min_age}~{eligibility.max_age}세 "
                                       f"서울시민, {eligibility.citation.document})이 아닙니다: 기준에 따라 분류는 했습니다"))
    return int(age)


def _number(record: Mapping, name: str, problems: list[Problem], *, value: object = ..., plausible=None,
            unit: str | None = None, label: str | None = None) -> float | None:
    raw = record.get(name) if value is ... else value
    low, high, default_unit, default_label = PLAUSIBLE.get(name, (None, None, "", name))
    low, high = plausible if plausible else (low, high)
    unit, label = unit or default_unit, label or default_label
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    number = _as_number(raw)
    if number is None:
        problems.append(Problem(name, f"{label}에 숫자가 아닌 값 '{raw}'이(가) 있습니다: 숫자로 적어 주세요 (단위 {unit})"))
        return None
    if not low <= number <= high:
        problems.append(Problem(name, f"{label} {_fmt(number)}{unit}은(는) 있을 수 없는 값입니다 "
                                      f"(허용 범위 {_fmt(low)}~{_fmt(high)}{unit}): 입력을 확인해 주세요"))
        return None
    return number


def _as_number(raw: object) -> float | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        number = float(raw)
    elif isinstance(raw, str):
        try:
            number = float(raw.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def _readings(record: Mapping, name: str, problems: list[Problem]) -> tuple[float, ...]:
    raw = record.get(name)
    items = raw if isinstance(raw, list) else [raw]
    if isinstance(raw, list) and not 1 <= len(raw) <= _MAX_READINGS:
        problems.append(Problem(name, f"혈압은 한 번 또는 두 번 잰 값을 보내 주세요 (받은 값 {len(raw)}개)"))
        return ()
    measured = []
    for item in items:
        number = _number(record, name, problems, value=item)
        if number is not None:
            measured.append(number)
    return tuple(measured) if len(measured) == len(items) else ()


def _blood_pressure_pairs(readings: dict[str, tuple[float, ...]], problems: list[Problem]) -> None:
    sys_, dia = readings.get("sys", ()), readings.get("dia", ())
    if sys_ and dia and len(sys_) != len(dia):
        problems.append(Problem("dia", f"수축기혈압(sys) {len(sys_)}번, 이완기혈압(dia) {len(dia)}번: 같은 횟수로 보내 주세요"))
        return
    for s, d in zip(sys_, dia):
        if d >= s:
            problems.append(Problem("dia", f"이완기혈압 {_fmt(d)}mmHg가 수축기혈압 {_fmt(s)}mmHg 이상입니다: "
                                           "두 값이 바뀌지 않았는지 확인해 주세요"))


def _medications(record: Mapping, problems: list[Problem]) -> tuple[str, ...] | None:
    if "medications" not in record or record["medications"] is None:
        return None
    raw = record["medications"]
    items = [p for p in raw.split(",")] if isinstance(raw, str) else raw
    if not isinstance(items, list):
        problems.append(Problem("medications", f"복용 약은 목록으로 적어 주세요: {list(MEDICATIONS)} 중에서"))
        return None
    found: list[str] = []
    for item in items:
        name = _MEDICATION_NAMES.get(item.strip()) if isinstance(item, str) else None
        if name is None:
            if isinstance(item, str) and not item.strip():
                continue
            problems.append(Problem("medications", f"알 수 없는 약 '{item}': {', '.join(MEDICATIONS)} 중에서 적어 주세요"))
        elif name not in found:
            found.append(name)
    return tuple(found)


def _new_registration(record: Mapping, problems: list[Problem]) -> bool | None:
    raw = record.get("new_registration")
    if raw is None or isinstance(raw, bool):
        return raw
    problems.append(Problem("new_registration", f"신규 등록 여부는 true 또는 false로 적어 주세요: '{raw}'"))
    return None


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(round(number, 2))
