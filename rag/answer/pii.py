"""Masking personal information in questions before they are logged (and, by
configuration, before they leave for an external model).

What is masked, and how it is recognised:
  * 주민등록번호 (also 외국인등록번호): ``YYMMDD-GNNNNNN`` with a valid month/day and
    G in 1–8, with or without the hyphen, also ``900101-1******``;
  * 전화번호: mobile ``010-1234-5678`` / ``01012345678``, area codes ``02``, ``031``…``064``,
    ``070``, ``050x``, with ``-``, ``.``, space or nothing between groups, ``+82 10-…``;
    short public numbers (1588-xxxx, 120) stay: they identify no person;
  * 이메일 addresses;
  * 건강정보: a measurement attached to a health label (혈압 ``150/95 mmHg``, 공복혈당
    ``130``, 허리둘레 ``92cm``, HbA1c ``6.8%``, 체중, BMI, 콜레스테롤 …) — the value is
    masked, the label kept so the log still says what was asked; a bare ``150/95 mmHg``;
    and a disease named as someone's diagnosis (``당뇨병 진단을 받았``, ``우울증을 앓고``,
    ``진단명: 고혈압``). Generic words (질병, 질환, 병) are not masked.
Deliberately conservative: statute references (제15조의4), dates (2024-01-01), amounts
(300만원) and article numbers never match, because every pattern needs digit groups of
a phone/RRN shape or a health label next to the value."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

RRN = "[주민등록번호]"
PHONE = "[전화번호]"
EMAIL = "[이메일]"
HEALTH = "[건강정보]"

_RRN = re.compile(r"(?<![\d-])\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\s?-?\s?[1-8](?:\d{6}|\*{6})(?![\d*])")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(
    r"(?<![\d-])(?:"
    r"(?:\+82|0082)[-.\s]?(?:1[016789]|2|[3-6][1-5]|70)"  # international: the leading 0 dropped
    r"|01[016789]|02|0[3-6][1-5]|070|050\d"
    r"|\(0(?:2|[3-6][1-5])\)"
    r")[-.\s]?\d{3,4}[-.\s]?\d{4}(?![\d-])"
)
_BLOOD_PRESSURE = re.compile(r"(?<![\d/])\d{2,3}\s?/\s?\d{2,3}\s?(?:mmHg|㎜Hg|mmhg)")
_HEALTH_LABEL = (
    r"수축기\s?혈압|이완기\s?혈압|혈압|공복\s?혈당|식후\s?혈당|혈당|당화\s?혈색소|HbA1c|허리\s?둘레|체중|몸무게|"
    r"체질량\s?지수|BMI|중성\s?지방|총\s?콜레스테롤|HDL(?:\s?콜레스테롤)?|LDL(?:\s?콜레스테롤)?|콜레스테롤|"
    r"혈색소|간수치|AST|ALT|GTP|요산|크레아티닌|맥박|심박수|체지방률?"
)
# The label, an optional particle or colon, then the value with its unit.
_HEALTH_VALUE = re.compile(
    rf"(?<![A-Za-z])(?P<label>{_HEALTH_LABEL})(?P<gap>\s?(?:이|가|은|는|도|:|：|=)?\s?(?:약\s?)?)"
    r"(?P<value>\d{1,3}(?:\.\d+)?(?:\s?/\s?\d{2,3})?\s?(?:mmHg|㎜Hg|mg/dL|mg/dl|kg|㎏|cm|㎝|%|bpm|회|kg/㎡|kg/m2)?)"
    r"(?![\d.])",
    re.I,
)
# A disease name: a word ending the way disease names do (당뇨병, 우울증, 위암, 간염,
# 고혈압, 발달장애 …). "의사의 진단을 받아" and "건강진단을 받아야 한다" do not qualify.
_DISEASE = (r"(?<![가-힣A-Za-z0-9])[가-힣A-Za-z0-9]{0,10}?(?:병|증|암|염|렴|질환|장애|혈압|당뇨|치매|결핵|비만|천식|"
            r"졸중|경색|경화|골절|독감|코로나(?:19)?|HIV|에이즈|AIDS)")
_GENERIC_ILLNESS = {"질병", "질환", "병", "증", "증상", "장애", "합병증", "후유증"}
_DIAGNOSIS = re.compile(
    rf"(?P<name>{_DISEASE})(?P<tail>(?:으로|로|을|를|이|가)?\s?(?:진단(?:을|이)?\s?(?:받|되|나왔)|앓고|앓아|앓았|투병))")
_DIAGNOSIS_LABEL = re.compile(r"(?P<label>(?:진단명|병명|상병명)\s?[:：]?\s?)(?P<name>[가-힣A-Za-z0-9]{1,15})")


@dataclass(frozen=True)
class MaskResult:
    text: str
    #: Kind ("rrn", "phone", "email", "health") → how many were masked.
    found: dict[str, int] = field(default_factory=dict)


def mask_pii(text: str) -> MaskResult:
    found: dict[str, int] = {}

    def count(kind: str, n: int) -> None:
        if n:
            found[kind] = found.get(kind, 0) + n

    # E-mail first (its digits must not be read as a phone), RRN before phone (longer).
    text, n = _EMAIL.subn(EMAIL, text)
    count("email", n)
    text, n = _RRN.subn(RRN, text)
    count("rrn", n)
    text, n = _PHONE.subn(PHONE, text)
    count("phone", n)
    text, n = _mask_health(text)
    count("health", n)
    return MaskResult(text, found)


def _mask_health(text: str) -> tuple[str, int]:
    total = 0
    text, n = _HEALTH_VALUE.subn(lambda m: f"{m.group('label')}{m.group('gap')}{HEALTH}", text)
    total += n
    text, n = _BLOOD_PRESSURE.subn(HEALTH, text)
    total += n

    def diagnosis(match: re.Match) -> str:
        nonlocal total
        name = match.group("name")
        if name in _GENERIC_ILLNESS or name == HEALTH.strip("[]"):
            return match.group(0)
        total += 1
        return f"{HEALTH}{match.group('tail')}"

    text = _DIAGNOSIS.sub(diagnosis, text)

    def labelled(match: re.Match) -> str:
        nonlocal total
        if match.group("name") in _GENERIC_ILLNESS:
            return match.group(0)
        total += 1
        return f"{match.group('label')}{HEALTH}"

    text = _DIAGNOSIS_LABEL.sub(labelled, text)
    return text, total


class PiiLogFilter(logging.Filter):
    """Masks a record's message before any handler formats it: the message is rendered
    with its args, masked, and stored with no args left (so a handler cannot re-render the
    raw values). Exception text is masked the same way.

    Attach it to the handlers (``handler.addFilter(PiiLogFilter())``): a filter on a
    logger does not see records that propagate up from its child loggers."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the parts, masked
            message = f"{record.msg} {record.args}"
        record.msg = mask_pii(message).text
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_pii(record.exc_text).text
        return True
