// The 범용 업무매뉴얼's 업무 도구 page (/assistants/general): 민원 처리기한 계산 and 공문서 검토
// over their endpoints (assistants/general/web.py). The main UI's request helpers (CSRF
// header, Korean error messages) and element builder are reused, so server text only
// ever goes in as text.

import { request, upload } from "/static/api.js";
import { announce, clear, el, tableHead, uniqueId } from "/static/dom.js";
import { FieldErrors as BaseFieldErrors } from "/static/field_errors.js";
import { needSignIn, signIn } from "/static/page_session.js";

const API = "/api/assistants/general";
const WEEKDAYS = "일월화수목금토";
const RULE_LABELS = { item_symbols: "항목 구분", amount: "금액", date: "날짜", time: "시각" };
const PARAGRAPH_FILES = /\.(docx|hwpx)$/i;

const $ = (id) => document.getElementById(id);

/** "2026-02-25" → "2026-02-25 (수)"; "2026-02-23T15:00" → "2026-02-23 (월) 15:00". */
function showDate(iso) {
  const [day, time] = String(iso).split("T");
  const [y, m, d] = day.split("-").map(Number);
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${day}${weekday ? ` (${weekday})` : ""}${time ? ` ${time}` : ""}`;
}

// --- errors beside their field -----------------------------------------------------------

/** The main UI's FieldErrors, and how a tool shows an API failure. */
class FieldErrors extends BaseFieldErrors {
  /** An API failure: a sign-in notice for 401, else the message beside the field it names. */
  fail(error) {
    if (error.name === "AbortError") return;
    if (error.status === 401) needSignIn();
    this.show(error.field || "", error.message);
  }
}

async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

// --- 민원 처리기한 계산 -------------------------------------------------------------------------

function renumberExcludes(list) {
  [...list.children].forEach((row, index) => {
    for (const prefix of row.querySelectorAll(".row-name")) prefix.textContent = `제외 기간 ${index + 1} `;
  });
}

function excludeField(kind, text) {
  const id = uniqueId(`exclude-${kind}`);
  return el("div", { class: "field" },
    el("label", { for: id }, el("span", { class: "visually-hidden row-name" }), text),
    el("input", { id, type: "date", class: `exclude-${kind}`, "aria-describedby": "exclude-hint exclude-error" }));
}

function addExclude(list) {
  const row = el("li", { class: "exclude-row" }, excludeField("from", "시작일"), excludeField("to", "끝날"));
  row.append(el("button", { type: "button", class: "secondary small", onclick: () => {
    row.remove();
    renumberExcludes(list);
    $("add-exclude").focus();
  } }, el("span", { class: "visually-hidden row-name" }), "삭제"));
  list.append(row);
  renumberExcludes(list);
  row.querySelector("input").focus();
}

/** The request body, or null after showing what is missing. */
function deadlineRequest(errors) {
  const day = $("received-date").value;
  const time = $("received-time").value;
  const period = $("period").value.trim();
  if (!day) {
    errors.show("received", "접수일을 입력하세요.");
    return null;
  }
  if (!period) {
    errors.show("period", "처리기간을 입력하세요 (예: 7일).");
    return null;
  }
  const exclude = [];
  for (const row of $("exclude-list").children) {
    const from = row.querySelector(".exclude-from").value;
    const to = row.querySelector(".exclude-to").value;
    if (!from && !to) continue;
    if (!from) {
      errors.show("exclude", "제외 기간의 시작일을 입력하세요.");
      return null;
    }
    exclude.push(`${from}..${to || from}`);
  }
  return { received: time ? `${day}T${time}` : day, period, exclude };
}

function basisList(basis) {
  return el("ol", { class: "basis-list" }, basis.map((b) => el("li", {},
    el("span", { class: "basis-label" }, b.label),
    b.effective_date ? el("span", { class: "basis-meta" }, ` (시행일자 ${b.effective_date})`) : null,
    el("p", { class: "basis-summary" }, b.summary),
    b.text ? el("details", {}, el("summary", {}, "조문 보기"), el("blockquote", { class: "quote" }, b.text)) : null)));
}

function deadlineResult(result) {
  const unit = result.unit === "시간"
    ? `시간 단위 (하루 8근무시간${result.counted_hours ? `, ${result.counted_hours}근무시간` : ""})`
    : `${result.unit} 단위`;
  const skipped = result.skipped || [];
  return [
    el("h3", {}, "처리기한"),
    el("p", { class: "due" },
      el("span", { class: "due-value", id: "due-value" }, `${showDate(result.due)}까지`),
      el("span", { class: "due-unit" }, `처리기간 ${result.period} · ${unit} · 접수 ${showDate(result.received)}`)),
    result.notes.length ? el("ul", { class: "notes-list" }, result.notes.map((note) => el("li", {}, note))) : null,
    el("h3", {}, `세지 않은 날 (${skipped.length}일)`),
    skipped.length
      ? el("ul", { class: "skipped-list", id: "skipped-list" },
        skipped.map((s) => el("li", {}, `${showDate(s.date)}: ${s.reason}`)))
      : el("p", { class: "empty" }, "처리기간 안에 세지 않은 날이 없습니다."),
    el("h3", {}, "근거"),
    basisList(result.basis || []),
  ];
}

function setupDeadline() {
  const form = $("deadline-form");
  const box = $("deadline-result");
  const errors = new FieldErrors(form);
  $("add-exclude").addEventListener("click", () => addExclude($("exclude-list")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.clear();
    const body = deadlineRequest(errors);
    if (!body) return;
    busy($("deadline-submit"), async () => {
      clear(box);
      try {
        const result = await request(`${API}/deadline`, { method: "POST", json: body });
        box.append(...deadlineResult(result).filter(Boolean));
        announce(`처리기한은 ${showDate(result.due)}까지입니다`);
      } catch (error) {
        errors.fail(error);
      }
    });
  });
}

// --- 공문서 검토 -------------------------------------------------------------------------------

function findingsTable(findings, lineLabel) {
  return el("div", { class: "table-wrap" }, el("table", { class: "data-table findings", id: "findings" },
    el("caption", { class: "visually-hidden" }, "공문서 검토 결과"),
    tableHead([lineLabel, "규칙", "원문", "고칠 점", "근거"], [lineLabel]),
    el("tbody", {}, findings.map((f) => el("tr", { "data-rule": f.rule },
      el("td", { class: "num" }, String(f.line)),
      el("td", { class: "nowrap" }, RULE_LABELS[f.rule] || f.rule),
      el("td", { class: "original-cell" }, el("span", { class: "original" }, f.text)),
      el("td", {}, el("span", { class: "suggestion" }, f.suggestion), el("span", { class: "finding-message" }, f.message)),
      el("td", { class: "finding-basis" }, f.basis,
        f.quote ? el("details", {}, el("summary", {}, "조문 보기"), el("blockquote", { class: "quote" }, f.quote)) : null))))));
}

function checkResult(findings, lineLabel) {
  if (!findings.length) {
    return [el("h3", {}, "검토 결과"), el("p", { class: "clean", id: "no-findings" }, "지적할 점이 없습니다.")];
  }
  return [el("h3", {}, "검토 결과"), el("p", { class: "findings-count" }, `고칠 곳 ${findings.length}건`),
    findingsTable(findings, lineLabel)];
}

function setupCheck() {
  const form = $("check-form");
  const box = $("check-result");
  const errors = new FieldErrors(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.clear();
    const file = $("draft-file").files[0];
    const text = $("draft-text").value;
    if (!file && !text.trim()) {
      errors.show("text", "검토할 초안을 붙여 넣거나 파일을 고르세요.");
      return;
    }
    busy($("check-submit"), async () => {
      clear(box);
      try {
        let reply;
        if (file) {
          const data = new FormData();
          data.append("file", file);
          reply = await upload(`${API}/check-document`, data, () => {});
        } else {
          reply = await request(`${API}/check-document`, { method: "POST", json: { text } });
        }
        const lineLabel = file && PARAGRAPH_FILES.test(file.name) ? "문단" : "줄";
        box.append(...checkResult(reply.findings, lineLabel));
        announce(reply.findings.length ? `고칠 곳 ${reply.findings.length}건` : "지적할 점이 없습니다");
      } catch (error) {
        errors.fail(error);
      }
    });
  });
}

function start() {
  $("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    $("main").focus();
  });
  setupDeadline();
  setupCheck();
  signIn();
}

start();
