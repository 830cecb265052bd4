// The requirements table of a saved draft, editable: a row's cells edited in place (수정 →
// 저장), a row added at the end of its category, a row deleted after a confirmation. The
// server numbers the IDs (CAT-NNN per category, in order) and renames them wherever the
// draft names them; the checker's findings stand beside each requirement.

import { el } from "/static/dom.js";
import { richText } from "./draft_view.js";

/** The categories the server knows (assistants/rfp/draft.py CATEGORIES). */
export const CATEGORIES = {
  ECR: "시스템 장비 구성", SFR: "기능", PER: "성능", SIR: "인터페이스", DAR: "데이터", TER: "테스트", SER: "보안",
  QUR: "품질", COR: "제약사항", PMR: "프로젝트 관리", PSR: "프로젝트 지원", CSR: "컨설팅", CUR: "컨설팅 산출물",
  MAR: "유지관리", SMR: "운영",
};
const COLUMNS = ["고유번호", "분류", "명칭", "내용 (정의 · 세부내용 · 산출정보 · 관련 요구사항 · 출처)", "검토 의견", "작업"];

/** The row fields' Korean names, for the server's "name: …" errors. */
const FIELD_LABELS = { category: "분류", name: "명칭", definition: "정의", details: "세부내용", outputs: "산출정보",
  related: "관련 요구사항", source: "출처" };

/** The server's message with the field named in Korean ("name: 비어 있습니다" → "명칭: 비어 있습니다"). */
function said(failure) {
  const message = String(failure.message || failure);
  const field = failure.field && message.startsWith(`${failure.field}: `) ? failure.field : "";
  return field && FIELD_LABELS[field] ? `${FIELD_LABELS[field]}: ${message.slice(field.length + 2)}` : message;
}

function categorySelect(value, attrs) {
  return el("select", attrs, Object.entries(CATEGORIES).map(([code, name]) =>
    el("option", { value: code, selected: code === value }, `${code} ${name}`)));
}

function lines(list) {
  return list && list.length ? el("ul", { class: "cell-list" }, list.map((item) => el("li", {}, ...richText(item)))) : "—";
}

function findingsCell(findings) {
  if (!findings || !findings.length) return el("span", { class: "ok-mark" }, "문제 없음");
  return el("ul", { class: "findings" }, findings.map((f) => el("li", { class: `finding finding-${f.rule}`, "data-rule": f.rule },
    f.message, f.text ? el("span", { class: "finding-text" }, ` “${f.text}”`) : null)));
}

function splitLines(text) {
  return text.split("\n").map((line) => line.trim()).filter(Boolean);
}

function splitIds(text) {
  return text.split(/[,\s]+/).map((id) => id.trim()).filter(Boolean);
}

/** What a requirement says, under its definition: the fields real RFPs give each block. */
function contentCell(requirement) {
  const item = (term, value) => el("div", {}, el("dt", {}, term), el("dd", {}, value));
  return [
    el("p", { class: "req-definition" }, ...richText(requirement.definition)),
    el("dl", { class: "req-fields" },
      item("세부내용", lines(requirement.details)), item("산출정보", lines(requirement.outputs)),
      item("관련 요구사항", requirement.related.length ? requirement.related.join(", ") : "—"),
      item("출처", requirement.source || "—")),
  ];
}

/** The row's cells as inputs; returns a function reading the changed fields. */
function editCells(row, requirement) {
  const id = requirement.id;
  const fieldId = (key) => `req-${id}-${key}`;
  const inputs = {
    category: categorySelect(requirement.category, { id: fieldId("category"), "aria-label": `${id} 분류` }),
    name: el("input", { id: fieldId("name"), value: requirement.name, "aria-label": `${id} 명칭`, maxlength: "300" }),
    definition: el("textarea", { id: fieldId("definition"), rows: "3" }),
    details: el("textarea", { id: fieldId("details"), rows: "3" }),
    outputs: el("textarea", { id: fieldId("outputs"), rows: "2" }),
    related: el("input", { id: fieldId("related"), value: requirement.related.join(", ") }),
    source: el("input", { id: fieldId("source"), value: requirement.source }),
  };
  inputs.definition.value = requirement.definition;
  inputs.details.value = requirement.details.join("\n");
  inputs.outputs.value = requirement.outputs.join("\n");
  const labelled = (key, label) => el("div", { class: "cell-field" }, el("label", { for: fieldId(key) }, label), inputs[key]);
  const [category, name, content] = row.querySelectorAll("td");
  category.replaceChildren(inputs.category);
  name.replaceChildren(inputs.name);
  content.replaceChildren(labelled("definition", "정의"), labelled("details", "세부내용 (한 줄에 하나)"),
    labelled("outputs", "산출정보 (한 줄에 하나)"), labelled("related", "관련 요구사항 (쉼표로 구분)"),
    labelled("source", "출처"));
  for (const cell of [category, name, content]) cell.classList.add("editing");
  inputs.name.focus();
  return () => {
    const now = {
      category: inputs.category.value, name: inputs.name.value.trim(), definition: inputs.definition.value.trim(),
      details: splitLines(inputs.details.value), outputs: splitLines(inputs.outputs.value),
      related: splitIds(inputs.related.value), source: inputs.source.value.trim(),
    };
    return Object.fromEntries(Object.entries(now).filter(([key, value]) =>
      JSON.stringify(value) !== JSON.stringify(requirement[key])));
  };
}

function requirementRow(requirement, handlers) {
  const id = requirement.id;
  const error = el("p", { class: "error row-error", role: "alert" });
  const edit = el("button", { type: "button", class: "secondary small req-edit", "aria-label": `${id} 수정` }, "수정");
  const remove = el("button", { type: "button", class: "danger small req-delete", "aria-label": `${id} 삭제` }, "삭제");
  const actions = el("td", { class: "req-actions" }, edit, remove, error);
  const row = el("tr", { "data-id": id, class: requirement.findings.length ? "has-findings" : null },
    el("th", { scope: "row", class: "req-id" }, id),
    el("td", { class: "req-category", "data-label": "분류" }, requirement.category, el("span", { class: "category-name" }, CATEGORIES[requirement.category] || "")),
    el("td", { class: "req-name", "data-label": "명칭" }, requirement.name),
    el("td", { class: "req-content", "data-label": "내용" }, ...contentCell(requirement)),
    el("td", { class: "req-findings", "data-label": "검토 의견" }, findingsCell(requirement.findings)),
    actions);
  let read = null;
  edit.addEventListener("click", async () => {
    error.textContent = "";
    if (!read) {
      read = editCells(row, requirement);
      edit.textContent = "저장";
      edit.setAttribute("aria-label", `${id} 저장`);
      remove.textContent = "취소";
      remove.className = "secondary small req-cancel";
      remove.setAttribute("aria-label", `${id} 수정 취소`);
      return;
    }
    const fields = read();
    if (!Object.keys(fields).length) {
      handlers.onCancel();
      return;
    }
    edit.disabled = true;
    try {
      await handlers.onSave(id, fields);
    } catch (failure) {
      error.textContent = said(failure);
      edit.disabled = false;
    }
  });
  remove.addEventListener("click", async () => {
    if (read) {
      handlers.onCancel();
      return;
    }
    if (!window.confirm(`요구사항 ${id} “${requirement.name}”을(를) 삭제할까요? 뒤 번호는 당겨서 다시 매깁니다.`)) return;
    remove.disabled = true;
    try {
      await handlers.onDelete(id);
    } catch (failure) {
      error.textContent = said(failure);
      remove.disabled = false;
    }
  });
  return row;
}

function addForm(handlers) {
  const error = el("p", { class: "error field-error", id: "req-add-error", role: "alert" });
  const described = { "aria-describedby": "req-add-error" };
  const form = el("form", { class: "tool-form req-add-form", id: "req-add-form", novalidate: true },
    el("fieldset", {}, el("legend", {}, "요구사항 추가"),
      el("div", { class: "field-grid" },
        el("div", { class: "field" }, el("label", { for: "req-add-category" }, "분류"),
          categorySelect("SFR", { id: "req-add-category", ...described })),
        el("div", { class: "field" }, el("label", { for: "req-add-name" }, "명칭"),
          el("input", { id: "req-add-name", maxlength: "300", ...described }))),
      el("div", { class: "field" }, el("label", { for: "req-add-definition" }, "정의"),
        el("textarea", { id: "req-add-definition", rows: "2", ...described })),
      el("div", { class: "field" }, el("label", { for: "req-add-details" }, "세부내용 (한 줄에 하나, 선택)"),
        el("textarea", { id: "req-add-details", rows: "2" })),
      error,
      el("button", { type: "submit", class: "secondary", id: "req-add-submit" }, "추가")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const fields = { category: form.querySelector("#req-add-category").value,
      name: form.querySelector("#req-add-name").value.trim(),
      definition: form.querySelector("#req-add-definition").value.trim() };
    const details = splitLines(form.querySelector("#req-add-details").value);
    if (details.length) fields.details = details;
    const button = form.querySelector("#req-add-submit");
    button.disabled = true;
    try {
      await handlers.onAdd(fields);
    } catch (failure) {
      error.textContent = said(failure);
      button.disabled = false;
    }
  });
  return form;
}

/** The table and the add form. `handlers`: onSave(id, fields), onDelete(id), onAdd(fields),
 *  onCancel() — each returns a promise; a rejection's message is shown by the row. */
export function requirementsBlock(requirements, handlers) {
  const counts = {};
  for (const r of requirements) counts[r.category] = (counts[r.category] || 0) + 1;
  const flagged = requirements.filter((r) => r.findings.length).length;
  return [
    el("p", { class: "hint", id: "requirements-count" },
      `총 ${requirements.length}건 (${Object.entries(counts).map(([c, n]) => `${c} ${n}`).join(" · ")})` +
      (flagged ? ` · 검토 의견이 있는 요구사항 ${flagged}건` : "")),
    el("div", { class: "table-wrap requirements-wrap" }, el("table", { class: "data-table requirements", id: "requirements-table" },
      el("caption", { class: "visually-hidden" }, "요구사항 총괄표 (편집 가능)"),
      el("thead", {}, el("tr", {}, COLUMNS.map((label) => el("th", { scope: "col" }, label)))),
      el("tbody", {}, requirements.map((r) => requirementRow(r, handlers))))),
    addForm(handlers),
  ];
}
