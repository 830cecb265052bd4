// The counselling part of a result: per risk factor, the guide's passages retrieved and
// cited (`counselling`), and the LLM's short personal summary (`counselling_summary`),
// which stays marked "AI 생성 초안 · 검토 전" until a named officer approves it. The review
// is page state only: nothing is stored, and a new result starts unreviewed.

import { answerText, refsFrom } from "/static/answer.js";
import { el } from "/static/dom.js";
import { passageChip, state } from "./citations.js";

export const DRAFT_MARK = "AI 생성 초안 · 검토 전";

/** "검토: 김상담 (2026-03-05)" once approved, else the draft mark (the server's `status`). */
export function reviewMark(review, summary) {
  if (review && review.name) return `검토: ${review.name} (${review.date})`;
  return (summary && summary.status && summary.status.startsWith("AI")) ? summary.status : DRAFT_MARK;
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Every counselling passage by its number, for the summary's [n] chips. */
export function counsellingRefs(result) {
  const passages = (result.counselling || []).flatMap((section) => section.passages || []);
  return refsFrom(passages, state.collection);
}

function passageItem(passage) {
  return el("li", { class: "counselling-passage" },
    el("blockquote", { class: "quote" }, passage.text),
    el("p", { class: "passage-source" }, passageChip(passage), " ", passage.label || passage.source || ""));
}

function sections(result) {
  const list = result.counselling || [];
  if (!list.length) return null;
  return el("div", { class: "counselling-sections" }, list.map((section) => el("section", {
    class: "counselling-section", "data-factor": section.factor },
  el("h4", {}, section.title, section.stage ? el("span", { class: "stage" }, ` · ${section.stage.label}`) : null),
  section.why ? el("p", { class: "hint section-why" }, section.why) : null,
  el("ul", { class: "counselling-passages" }, (section.passages || []).map(passageItem)))));
}

function reviewForm(review) {
  const nameId = "review-name";
  const error = el("p", { class: "error", id: "review-error" });
  const input = el("input", { id: nameId, maxlength: "40", autocomplete: "name", "aria-describedby": "review-error" });
  const form = el("form", { class: "review-form", id: "review-form", novalidate: true },
    el("label", { for: nameId }, "검토자 이름"), input,
    el("button", { type: "submit", class: "secondary small" }, "검토 완료"), error);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name) {
      error.textContent = "검토한 담당자의 이름을 적어 주세요.";
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    review.approve(name, today());
  });
  return form;
}

function summaryBox(result, review) {
  const summary = result.counselling_summary;
  if (!summary || !summary.text) return null;
  const approved = Boolean(review.name);
  return el("section", { class: `ai-summary ${approved ? "reviewed" : "draft"}`, id: "ai-summary", "aria-labelledby": "ai-summary-title" },
    el("h4", { id: "ai-summary-title" }, "상담 요약 ", el("span", { class: "review-mark", id: "review-mark" }, reviewMark(review, summary))),
    answerText(summary.text, counsellingRefs(result)),
    summary.removed && summary.removed.length
      ? el("p", { class: "hint" }, `문서로 확인되지 않은 문장 ${summary.removed.length}개는 넣지 않았습니다.`) : null,
    approved ? null : reviewForm(review));
}

/** The counselling block of the card, or null when the result has none. `review`:
 *  {name, date, approve(name, date), summarize?()} kept by the page. */
export function counsellingBlock(result, review) {
  const body = [sections(result), summaryBox(result, review)].filter(Boolean);
  const canSummarize = review.summarize && !(result.counselling_summary && result.counselling_summary.text) &&
    (result.counselling || []).some((section) => (section.passages || []).length);
  if (!body.length && !canSummarize) return null;
  return el("section", { class: "counselling", id: "counselling", "aria-labelledby": "counselling-title" },
    el("h3", { id: "counselling-title" }, "상담 내용 (안내서 근거)"),
    ...body,
    canSummarize ? el("div", { class: "summary-stream", id: "summary-stream" },
      el("button", { type: "button", class: "secondary", id: "summary-button", onclick: review.summarize }, "AI 상담 요약 만들기"),
      el("p", { class: "hint" }, `요약은 ${DRAFT_MARK}으로 표시되며, 담당자가 검토해야 참여자에게 줄 수 있습니다.`)) : null);
}
