// A saved RFP draft on screen: the review banner (AI 생성 초안 · 검토 전, or who approved it and
// when), the sections with their text, [n] chips that open the cited article from the
// index (GET /api/passages/rfp/<chunk_id>), [확인 필요: …] fields marked, sections cut off
// by the token limit marked, the rule facts with their articles, the similar past notices
// and the assumptions. Editing a section and regenerating it are section_edit.js's.

import { openPassage } from "/static/dialog.js";
import { el, formatDate } from "/static/dom.js";

export const DRAFT_MARK = "AI 생성 초안 · 검토 전";
export const state = { collection: "rfp" };

/** A server error's message without its leading "field: " (the place on the page says which). */
export function plainMessage(error) {
  const message = String((error && error.message) || error);
  const field = error && error.field;
  return field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

const MARKS = /(\[\d+\]|\[확인 필요: [^\]]*\])/;

/** A chip for an article a statement rests on; without a chunk it is plain text (such a
 *  citation is removed by the server, so this is only a safeguard). */
export function articleChip(citation, n) {
  const label = `${citation.law} ${citation.article}`;
  if (!citation.chunk_id) return el("span", { class: "cite-missing" }, `[${n}]`);
  const ref = { collection: state.collection, chunk_id: citation.chunk_id, label, title: citation.law,
    text: citation.quote || "" };
  return el("button", { type: "button", class: "cite", "aria-haspopup": "dialog", "data-n": n,
    "data-chunk": citation.chunk_id, "aria-label": `근거 ${n}: ${label} 보기`, title: label,
    onclick: (event) => openPassage(ref, event.currentTarget) }, String(n));
}

/** A paragraph's text with its [n] markers as chips and [확인 필요: …] fields marked. */
export function richText(text, citations = []) {
  return String(text).split(MARKS).filter((part) => part !== "").map((part) => {
    const number = /^\[(\d+)\]$/.exec(part);
    if (number) {
      const citation = citations[Number(number[1]) - 1];
      return citation ? articleChip(citation, Number(number[1])) : part;
    }
    if (part.startsWith("[확인 필요: ")) return el("mark", { class: "needs-check" }, part);
    return part;
  });
}

/** The banner at the top: the AI-draft marking until a named officer approved the draft. */
export function reviewBanner(review) {
  if (review && review.approved_by) {
    return el("div", { class: "review-banner approved", id: "review-banner", role: "status" },
      el("strong", {}, "검토 승인"), " ",
      el("span", { id: "approved-by" }, `승인자: ${review.approved_by}`), " · ",
      el("span", { id: "approved-at" }, `승인 시각: ${formatDate(review.approved_at)}`),
      el("p", { class: "banner-note" }, "AI가 만든 초안을 담당자가 검토해 승인했습니다. 수정하면 승인이 취소됩니다."));
  }
  return el("div", { class: "review-banner ai-draft", id: "review-banner", role: "status" },
    el("strong", {}, (review && review.label) || DRAFT_MARK),
    el("p", { class: "banner-note" }, "AI가 만든 초안입니다. 담당자가 내용과 [확인 필요] 항목을 검토한 뒤 승인하세요."));
}

/** One section: its heading, marks, text; `actions` (edit, regenerate) from section_edit.js. */
export function sectionBlock(section, actions) {
  const heading = el(section.level > 1 ? "h4" : "h3", { class: "section-title", id: `sec-${section.number}` },
    `${section.number} ${section.title}`,
    section.truncated ? el("span", { class: "badge truncated", title: "생성 길이 한도에서 끊겼습니다" }, "잘림 · 이어서 작성 필요") : null);
  const body = el("div", { class: "section-body" }, section.paragraphs.length
    ? section.paragraphs.map((p) => el("p", {}, ...richText(p, section.citations)))
    : el("p", { class: "empty" }, "(내용 없음)"));
  return el("article", { class: `rfp-section level-${section.level}${section.truncated ? " is-truncated" : ""}`,
    "data-section": section.number, "aria-labelledby": `sec-${section.number}` },
  el("div", { class: "section-head" }, heading, actions ? actions.buttons : null),
  body, actions ? actions.below : null);
}

function factValue(value) {
  if (value === null || value === undefined) return el("span", { class: "needs-check" }, "판정 안 함");
  if (value === true) return "예";
  if (value === false) return "아니요";
  if (typeof value === "number") return value.toLocaleString("ko-KR");
  return String(value);
}

/** The rules computed by code, each with the articles it rests on. */
export function ruleFactsTable(facts) {
  const rows = Object.values(facts || {});
  if (!rows.length) return el("p", { class: "empty" }, "계산한 법령 규칙이 없습니다.");
  return el("div", { class: "table-wrap" }, el("table", { class: "data-table rule-facts", id: "rule-facts" },
    el("caption", { class: "visually-hidden" }, "법령 규칙과 근거 조문"),
    el("thead", {}, el("tr", {}, ["항목", "값", "내용", "근거 조문"].map((label) => el("th", { scope: "col" }, label)))),
    el("tbody", {}, rows.map((fact) => el("tr", { "data-key": fact.key },
      el("th", { scope: "row", class: "fact-key" }, fact.key),
      el("td", { class: "nowrap" }, factValue(fact.value)),
      el("td", { class: "long-text" }, ...richText(fact.text)),
      el("td", { class: "fact-articles" }, fact.citations.length
        ? fact.citations.map((c, i) => el("span", { class: "fact-article" }, articleChip(c, i + 1), ` ${c.law} ${c.article}`))
        : el("span", { class: "empty" }, "—")))))));
}

export function similarList(similar) {
  if (!similar || !similar.length) return el("p", { class: "empty", id: "similar-empty" }, "참고한 유사 사업이 없습니다.");
  return el("div", { class: "table-wrap" }, el("table", { class: "data-table", id: "similar-table" },
    el("caption", { class: "visually-hidden" }, "참고한 유사 사업"),
    el("thead", {}, el("tr", {}, ["공고번호", "사업명", "발주기관"].map((label) => el("th", { scope: "col" }, label)))),
    el("tbody", {}, similar.map((notice) => el("tr", {},
      el("td", { class: "nowrap" }, notice.notice_no || "—"), el("td", {}, notice.project_name),
      el("td", {}, notice.agency || "—"))))));
}

export function assumptionList(assumptions, removed) {
  const items = (assumptions || []).map((text) => el("li", {}, ...richText(text)));
  if (removed && removed.length) {
    items.push(el("li", { class: "removed-citation", id: "removed-citations" },
      `색인에 없어 뺀 조문 인용 ${removed.length}개: ${removed.join(", ")} — 법령 색인을 확인하세요.`));
  }
  if (!items.length) return null;
  return el("ul", { class: "assumptions", id: "assumptions" }, items);
}
