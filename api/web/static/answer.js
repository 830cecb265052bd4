// One answer on screen: its text with [n] citation chips, the notice, the sentences the
// verifier removed, the sources and the feedback controls. Text only, never markup.

import { request } from "./api.js";
import { openPassage } from "./dialog.js";
import { el, icon, plain, uniqueId } from "./dom.js";

const CITATION = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

const MODE_LABELS = {
  generated: "생성 답변 · 문서로 확인됨",
  extractive: "문서 발췌 답변",
  abstained: "답변 보류",
};

function citeButton(ref) {
  const label = ref.label ? `근거 ${ref.n}: ${ref.label} 보기` : `근거 ${ref.n} 보기`;
  return el("button", {
    type: "button", class: "cite", "aria-haspopup": "dialog", "aria-label": label, title: ref.label || null,
    "data-n": ref.n, onclick: (event) => openPassage(ref, event.currentTarget),
  }, String(ref.n));
}

/** The answer's text with each [n] that names a known passage turned into a chip. */
export function answerText(text, refs, tag = "div") {
  const box = el(tag, { class: "answer-text" });
  const source = plain(text);
  let last = 0;
  for (const match of source.matchAll(CITATION)) {
    const numbers = match[1].split(",").map((n) => Number(n.trim()));
    if (!numbers.every((n) => refs.has(n))) continue;
    box.append(source.slice(last, match.index));
    numbers.forEach((n) => box.append(citeButton(refs.get(n))));
    last = match.index + match[0].length;
  }
  box.append(source.slice(last));
  return box;
}

/** Passages by number, each knowing its collection (for GET /api/passages/...). */
export function refsFrom(passages, collection) {
  const refs = new Map();
  for (const p of passages || []) refs.set(p.n, { ...p, collection: p.collection || collection });
  return refs;
}

function sourceItem(ref) {
  const meta = [ref.effective_date ? `시행 ${ref.effective_date}` : "", ref.page ? `${ref.page}쪽` : ""]
    .filter(Boolean).join(" · ");
  return el("li", {},
    el("button", { type: "button", class: "source-link", "aria-haspopup": "dialog",
      onclick: (event) => openPassage(ref, event.currentTarget) },
    el("span", { class: "source-n" }, `[${ref.n}]`), " ", ref.label || ref.source || "문서"),
    meta ? el("span", { class: "source-meta" }, meta) : null);
}

function sourcesBlock(refs, citedNumbers) {
  const all = [...refs.values()];
  const cited = all.filter((r) => citedNumbers.has(r.n));
  const others = all.filter((r) => !citedNumbers.has(r.n));
  if (!all.length) return null;
  const block = el("section", { class: "sources", "aria-label": "근거 문서" });
  if (cited.length) block.append(el("h3", { class: "sources-title" }, "근거 문서"), el("ol", {}, cited.map(sourceItem)));
  if (others.length) {
    block.append(el("details", { class: "other-sources" },
      el("summary", {}, `검색된 다른 문서 ${others.length}건`), el("ol", {}, others.map(sourceItem))));
  }
  return block;
}

function removedBlock(removed) {
  if (!removed || !removed.length) return null;
  return el("details", { class: "removed" },
    el("summary", {}, `문서로 확인되지 않아 뺀 문장 ${removed.length}개`),
    el("ul", {}, removed.map((sentence) => el("li", {}, plain(sentence)))));
}

/**
 * The finished answer. `answer`: the API's answer object, or a stored message adapted by
 * messageAnswer(). `collection` names where its passages live.
 */
export function renderAnswer(answer, { collection, messageId = null, feedback = null } = {}) {
  const refs = refsFrom(answer.passages, collection);
  const cited = new Set((answer.citations || []).map((c) => c.n));
  const mode = answer.abstained ? "abstained" : answer.mode;
  const box = el("div", { class: `answer answer-${mode || "unknown"}` },
    el("p", { class: "mode-badge" }, MODE_LABELS[mode] || "답변"),
    answerText(answer.text, refs),
    basisList(answer.basis),
    answer.notice ? el("p", { class: "notice", role: "note" }, plain(answer.notice)) : null,
    appendixLinks(answer.appendices),
    removedBlock(answer.removed),
    sourcesBlock(refs, cited));
  if (messageId) box.append(feedbackControls(messageId, feedback));
  return box;
}

/** A work manual's 근거 block: each cited passage as the server named it, with its
 * 시행일자 or page (rag/answer/basis.py). Text only. */
function basisList(items) {
  const lines = (items || []).filter((b) => typeof b.line === "string" && b.line);
  if (!lines.length) return null;
  return el("section", { class: "basis", "aria-label": "근거" },
    el("h3", { class: "basis-title" }, "근거"),
    el("ul", {}, lines.map((b) => el("li", {}, `[${b.n}] ${plain(b.line)}`))));
}

/** The 별표 the cited articles delegate figures to, not indexed: links to the official
 * text (https links from the statute files' front matter only). */
function appendixLinks(items) {
  const shown = (items || []).filter((i) => typeof i.link === "string" && i.link.startsWith("https://"));
  if (!shown.length) return null;
  return el("ul", { class: "appendix-links", "aria-label": "별표 원문" },
    shown.map((i) => el("li", {}, el("a", { href: i.link, target: "_blank", rel: "noopener noreferrer" },
      `${i.law} [${i.label}] ${i.title} (원문)`))));
}

/** A stored assistant message (GET /api/conversations/{id}) in the answer's shape. */
export function messageAnswer(message) {
  const sources = message.sources || [];
  return {
    text: message.text, mode: message.mode, abstained: message.mode === "abstained", notice: message.notice,
    removed: [], passages: sources, citations: sources.filter((s) => s.cited),
    basis: sources.filter((s) => s.cited && s.basis).map((s) => ({ n: s.n, line: s.basis })),
  };
}

function feedbackControls(messageId, saved) {
  const commentId = uniqueId("feedback-comment");
  let rating = saved ? saved.rating : 0;
  const status = el("p", { class: "feedback-status", role: "status" });
  const up = el("button", { type: "button", class: "feedback-up", "aria-pressed": String(rating === 1) },
    icon("thumb-up"), "도움이 됨");
  const down = el("button", { type: "button", class: "feedback-down", "aria-pressed": String(rating === -1) },
    icon("thumb-down"), "도움이 안 됨");
  const comment = el("textarea", { id: commentId, class: "feedback-comment", rows: "2", maxlength: "2000" });
  comment.value = saved ? saved.comment || "" : "";
  const send = el("button", { type: "button", class: "feedback-send" }, "의견 보내기");
  const commentRow = el("div", { class: "feedback-comment-row", hidden: !rating },
    el("label", { for: commentId }, "의견 (선택)"), comment, send);

  async function save() {
    if (!rating) return;
    up.setAttribute("aria-pressed", String(rating === 1));
    down.setAttribute("aria-pressed", String(rating === -1));
    commentRow.hidden = false;
    status.textContent = "보내는 중…";
    status.scrollIntoView({ block: "nearest" });
    try {
      await request(`/api/messages/${messageId}/feedback`, { method: "POST", json: { rating, comment: comment.value } });
      status.textContent = comment.value ? "의견을 보냈습니다. 고맙습니다." : "평가를 저장했습니다. 의견을 덧붙일 수 있습니다.";
      status.scrollIntoView({ block: "nearest" });
    } catch (error) {
      status.textContent = `저장하지 못했습니다: ${error.message}`;
    }
  }

  up.addEventListener("click", () => { rating = 1; save(); });
  down.addEventListener("click", () => { rating = -1; save(); comment.focus(); });
  send.addEventListener("click", save);
  return el("div", { class: "feedback", role: "group", "aria-label": "이 답변 평가" },
    el("span", { class: "feedback-question" }, "도움이 됐나요?"), up, down, commentRow, status);
}
