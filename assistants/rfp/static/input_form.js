// The 제안요청서 input form: the inputs read from it for POST …/drafts/stream, written into it
// from a pasted rfp_cases.jsonl line (or a form's JSON), and errors shown beside the field
// they name (the server's `input.budget_krw` → the 사업 예산 field). The server checks every
// value (assistants/rfp/inputs.py): the page sends what was typed and shows its answer.

import { FieldErrors as BaseFieldErrors } from "/static/field_errors.js";

const $ = (id) => document.getElementById(id);

/** Text fields: the input key and the element. */
const TEXT_FIELDS = [["project_name", "f-project_name"], ["agency", "f-agency"], ["summary", "f-summary"],
  ["current_issues", "f-current_issues"], ["notice_no", "f-notice_no"]];
/** The other names a pasted line may use (the server's ALIASES, assistants/rfp/inputs.py). */
const ALIASES = {
  project_name: ["project_name", "name", "사업명"], agency: ["agency", "발주기관", "발주 기관"],
  agency_type: ["agency_type", "기관유형", "기관 유형"], budget_krw: ["budget_krw", "budget", "사업예산", "사업 예산", "사업 금액"],
  vat_included: ["vat_included", "vat", "부가세포함"], period_months: ["period_months", "period", "사업기간", "사업 기간"],
  project_type: ["project_type", "사업유형", "사업 유형"], summary: ["summary", "사업개요", "사업 개요", "사업 요약"],
  current_issues: ["current_issues", "현황및문제점", "현황 및 문제점"], deliverables: ["deliverables", "산출물"],
  notice_no: ["notice_no", "공고번호", "공고 번호"],
};

/** The main UI's FieldErrors for this page's forms: the server names a field of the
 *  input as "input.budget_krw", the form as "budget_krw". */
export class FieldErrors extends BaseFieldErrors {
  constructor(form) {
    super(form, { key: (field) => field.replace(/^input\./, "") });
  }
}

/** "330,000,000원" → 330000000; anything else is sent as typed, for the server to name. */
function budgetValue(raw) {
  const text = raw.trim();
  if (!text) return undefined;
  const cleaned = text.replace(/[,\s]/g, "").replace(/원$/, "");
  return /^-?\d+$/.test(cleaned) ? Number(cleaned) : text;
}

function periodValue(raw) {
  const text = raw.trim();
  if (!text) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

/** The inputs as the server reads them (the form's keys); empty optional fields left out. */
export function readInputs() {
  const inputs = {};
  for (const [key, id] of TEXT_FIELDS) {
    const value = $(id).value.trim();
    if (value) inputs[key] = value;
  }
  for (const key of ["agency_type", "project_type"]) {
    const value = $(`f-${key}`).value;
    if (value) inputs[key] = value;
  }
  const budget = budgetValue($("f-budget_krw").value);
  if (budget !== undefined) inputs.budget_krw = budget;
  inputs.vat_included = $("f-vat_included").checked;
  const period = periodValue($("f-period_months").value);
  if (period !== undefined) inputs.period_months = period;
  const deliverables = $("f-deliverables").value.split("\n").map((line) => line.trim()).filter(Boolean);
  if (deliverables.length) inputs.deliverables = deliverables;
  return inputs;
}

function pick(data, key) {
  const name = ALIASES[key].find((alias) => alias in data);
  return name === undefined ? undefined : data[name];
}

function setSelect(select, value) {
  const known = [...select.options].some((option) => option.value === value);
  select.value = known ? value : "";
  return known || value === undefined || value === null || value === "";
}

/** Fill the form from a pasted object (a suite case line or a form's JSON). Returns the
 *  notes to show: values the form has no choice for, and that a case line may lack a budget. */
export function fillInputs(data) {
  const notes = [];
  for (const [key, id] of TEXT_FIELDS) {
    const value = pick(data, key);
    $(id).value = value === undefined || value === null ? "" : String(value);
  }
  const budget = pick(data, "budget_krw");
  $("f-budget_krw").value = budget === undefined || budget === null ? "" : String(budget);
  if (budget === undefined || budget === null) notes.push("사업 예산이 없습니다: 공고의 예산을 원 단위로 적어 주세요.");
  const vat = pick(data, "vat_included");
  $("f-vat_included").checked = vat === undefined ? true : Boolean(vat);
  const period = pick(data, "period_months");
  $("f-period_months").value = period === undefined || period === null ? "" : String(period);
  for (const key of ["agency_type", "project_type"]) {
    const value = pick(data, key);
    if (!setSelect($(`f-${key}`), value)) notes.push(`알 수 없는 ${key === "agency_type" ? "기관 유형" : "사업 유형"} '${value}'은(는) 비워 두었습니다.`);
  }
  const deliverables = pick(data, "deliverables");
  $("f-deliverables").value = Array.isArray(deliverables) ? deliverables.join("\n") : (deliverables || "");
  return notes;
}

/** One JSON object from pasted text: a whole object, or the first non-empty line of JSONL. */
export function pastedObject(text) {
  const trimmed = text.trim();
  let data;
  try {
    data = JSON.parse(trimmed);
  } catch {
    const first = trimmed.split("\n").find((line) => line.trim());
    try {
      data = JSON.parse(first);
    } catch {
      throw new Error("올바른 JSON이 아닙니다: rfp_cases.jsonl의 한 줄(JSON 객체 하나)을 붙여 넣어 주세요.");
    }
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) {
    throw new Error("JSON 객체({\"project_name\": …, \"agency\": …, \"summary\": …})를 붙여 넣어 주세요.");
  }
  return data;
}
