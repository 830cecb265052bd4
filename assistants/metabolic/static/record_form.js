// The 검진 결과 form: a participant record (the shape of test_data.json plus medications and
// new_registration) read from it and written into it, the allowed ranges checked before
// sending, and errors shown beside the field they name (ours or the server's).

/** Number fields: the record's key, the input, its Korean name and unit. The ranges are the
 *  inputs' min/max (assistants/metabolic/validation.py's PLAUSIBLE; age: 0–120). */
export const NUMBER_FIELDS = [
  ["age", "f-age", "나이", "세"], ["height", "f-height", "키", "cm"], ["weight", "f-weight", "몸무게", "kg"],
  ["waist", "f-waist", "허리둘레", "cm"], ["fbg", "f-fbg", "공복혈당", "mg/dL"], ["tg", "f-tg", "중성지방", "mg/dL"],
  ["hdl", "f-hdl", "HDL콜레스테롤", "mg/dL"], ["ldl", "f-ldl", "LDL콜레스테롤", "mg/dL"],
  ["tc", "f-tc", "총콜레스테롤", "mg/dL"],
];
const READINGS = [["sys", "f-sys", "f-sys2", "수축기혈압"], ["dia", "f-dia", "f-dia2", "이완기혈압"]];
const SEX = { 남: "남", 남성: "남", 남자: "남", m: "남", male: "남", 여: "여", 여성: "여", 여자: "여", f: "여", female: "여" };
const MEDICATIONS = { 고혈압: "고혈압", 당뇨병: "당뇨병", 당뇨: "당뇨병", 이상지질혈증: "이상지질혈증", 고지혈증: "이상지질혈증" };

const $ = (id) => document.getElementById(id);

// The page's forms show their errors through the main UI's FieldErrors.
export { FieldErrors } from "/static/field_errors.js";

function numberOf(input) {
  const raw = input.value.trim();
  if (!raw) return { empty: true };
  const value = Number(raw);
  // A number input holding text reads as "" with badInput set.
  if (input.validity.badInput || !Number.isFinite(value)) return { bad: true };
  return { value };
}

function rangeMessage(input, label, unit, value) {
  const low = Number(input.min);
  const high = Number(input.max);
  if (value < low || value > high) return `${label} ${value}${unit}은(는) 허용 범위(${low}~${high}${unit}) 밖입니다: 입력을 확인해 주세요`;
  return "";
}

/** The record and its survey ({record, survey}), or null after showing every problem. */
export function readForm(errors) {
  const problems = [];
  const record = {};
  const id = $("f-id").value.trim();
  if (id) record.id = id;
  if (!$("f-sex").value) problems.push(["sex", "성별을 고르세요 (허리둘레·HDL 기준이 성별로 다릅니다)."]);
  else record.sex = $("f-sex").value;
  for (const [key, inputId, label, unit] of NUMBER_FIELDS) {
    const input = $(inputId);
    const { empty, bad, value } = numberOf(input);
    if (empty) continue;
    if (bad) problems.push([key, `${label}에 숫자를 적어 주세요 (단위 ${unit}).`]);
    else if (rangeMessage(input, label, unit, value)) problems.push([key, rangeMessage(input, label, unit, value)]);
    else record[key] = value;
  }
  for (const [key, firstId, secondId, label] of READINGS) {
    const values = [];
    for (const input of [$(firstId), $(secondId)]) {
      const { empty, bad, value } = numberOf(input);
      if (empty) continue;
      if (bad) problems.push([key, `${label}에 숫자를 적어 주세요 (단위 mmHg).`]);
      else if (rangeMessage(input, label, "mmHg", value)) problems.push([key, rangeMessage(input, label, "mmHg", value)]);
      else values.push(value);
    }
    if (!$(firstId).value.trim() && $(secondId).value.trim()) problems.push([key, `첫 번째 ${label}부터 적어 주세요.`]);
    if (values.length) record[key] = values.length === 1 ? values[0] : values;
  }
  record.medications = [...document.querySelectorAll('input[name="medications"]:checked')].map((box) => box.value);
  record.new_registration = $("f-new").checked;
  const survey = readSurvey(problems);
  if (problems.length) {
    problems.forEach(([field, message], index) => errors.show(field, message, { focus: index === 0 }));
    return null;
  }
  return { record, survey };
}

/** PHQ-9 as the survey's mental_health (assessment.phq9 reads these two keys), or null. */
function readSurvey(problems) {
  const mental = {};
  for (const [key, inputId, label] of [["phq9_total_score", "f-phq9", "PHQ-9 총점"], ["phq9_q9_item", "f-phq9-q9", "PHQ-9 9번 문항"]]) {
    const input = $(inputId);
    const { empty, bad, value } = numberOf(input);
    if (empty) continue;
    if (bad || !Number.isInteger(value) || rangeMessage(input, label, "", value)) {
      problems.push(["survey", `${label}은(는) ${input.min}~${input.max}의 정수로 적어 주세요.`]);
    } else {
      mental[key] = value;
    }
  }
  return Object.keys(mental).length ? { mental_health: mental } : null;
}

function setNumber(id, value) {
  $(id).value = value === null || value === undefined || value === "" ? "" : String(value);
}

/** Write a record (pasted, uploaded or from the batch) into the form; what the form has no
 *  field for is kept aside and sent with it. */
export function fillForm(record) {
  $("record-form").reset();
  setNumber("f-id", record.id ?? record.patient_id);
  $("f-sex").value = SEX[String(record.sex ?? "").trim().toLowerCase()] || "";
  for (const [key, inputId] of NUMBER_FIELDS) setNumber(inputId, record[key]);
  for (const [key, firstId, secondId] of READINGS) {
    const readings = Array.isArray(record[key]) ? record[key] : [record[key]];
    setNumber(firstId, readings[0]);
    setNumber(secondId, readings[1]);
  }
  const medications = Array.isArray(record.medications) ? record.medications
    : String(record.medications || "").split(",");
  const names = new Set(medications.map((m) => MEDICATIONS[String(m).trim()]).filter(Boolean));
  for (const box of document.querySelectorAll('input[name="medications"]')) box.checked = names.has(box.value);
  $("f-new").checked = record.new_registration === true;
}

/** A survey's PHQ-9 answers (as readSurvey writes them, or a survey_data.json entry) into the form. */
export function fillSurvey(survey) {
  const mental = (survey && survey.mental_health) || {};
  setNumber("f-phq9", mental.phq9_total_score);
  const item9 = Object.entries(mental).find(([key]) => key.startsWith("phq9_q9"));
  setNumber("f-phq9-q9", item9 ? item9[1] : "");
}
