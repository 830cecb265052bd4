// One streamed chat turn as the reader sees it, event by event (POST /api/chat/<name>/stream):
// the passages found, the quoted answer at once, the model's words as an unverified draft
// whose sentences move into the answer as verification passes them, then the final answer.
// The chat page and the assistants' own pages (a side panel for free questions) share it.

import { answerText, refsFrom, renderAnswer } from "./answer.js";
import { clear, el } from "./dom.js";

export function userMessage(text) {
  return el("article", { class: "msg msg-user", "aria-label": "질문" }, el("p", { class: "msg-text" }, text));
}

export function scrollToEnd(log) {
  log.scrollTop = log.scrollHeight;
}

/** Everything one streamed turn shows, updated event by event. */
export class PendingAnswer {
  constructor(log, collection) {
    this.log = log;
    this.collection = collection;
    this.refs = new Map();
    this.status = el("p", { class: "msg-status" }, "관련 문서를 찾는 중…");
    this.body = el("div", { class: "msg-body" });
    this.node = el("article", { class: "msg msg-assistant", "aria-label": "답변", "aria-busy": "true" },
      this.status, this.body);
    this.draft = null;
    log.append(this.node);
  }

  handle(name, data) {
    const handler = {
      passages: () => this.passages(data), extractive: () => this.extractive(data), queued: () => this.queued(data),
      token: () => this.token(data), verified: () => this.verified(data), final: () => this.final(data),
      error: () => this.fail(data.message),
    }[name];
    if (handler) handler();
    scrollToEnd(this.log);
  }

  passages(data) {
    this.refs = refsFrom(data.passages, this.collection);
    this.status.textContent = `관련 문서 ${data.passages.length}건을 찾았습니다. 답변을 준비하는 중…`;
  }

  extractive(data) {
    this.refs = refsFrom(data.answer.passages, this.collection);
    clear(this.body).append(el("section", { class: "extractive", "aria-label": "문서 발췌" },
      el("h3", { class: "block-title" }, "문서에서 찾은 내용"),
      answerText(data.answer.text, this.refs, "blockquote")));
    this.status.textContent = "언어 모델의 답변을 기다리는 중…";
  }

  queued(data) {
    this.status.textContent = `대기 순서: ${data.position}번째`;
  }

  // The model's words are a draft until verified: shown apart, greyed and labelled, as a
  // text node (a link in them stays text), never as the answer. The server checks each
  // finished sentence (`verified`): those that pass are shown in the answer box, rendered as
  // the final answer is; the draft keeps only what is not checked yet.
  startDraft() {
    this.streamed = "";
    this.checked = 0;  // characters (code points) of `streamed` already checked
    this.draftText = document.createTextNode("");
    this.draftNote = el("p", { class: "draft-note", hidden: true });
    this.draft = el("section", { class: "draft", "aria-label": "검증 전 초안" },
      el("h3", { class: "draft-title" }, "검증 전 초안 — 근거 확인 중"),
      el("p", { class: "draft-text streaming" }, this.draftText), this.draftNote);
    this.sofar = el("div", { class: "answer answer-partial", "aria-live": "polite", hidden: true });
    this.body.append(el("section", { class: "generating", "aria-label": "생성 중인 답변" }, this.sofar, this.draft));
    this.status.textContent = "답변을 작성하며 문장마다 근거를 확인하는 중…";
  }

  showDraft() {
    this.draftText.data = Array.from(this.streamed).slice(this.checked).join("").trimStart();
  }

  token(data) {
    if (!this.draft) this.startDraft();
    this.streamed += data.text;
    this.showDraft();
  }

  verified(data) {
    if (!this.draft) this.startDraft();
    this.checked = data.checked;
    this.showDraft();
    const { text, removed } = data.answer;
    clear(this.sofar);
    this.sofar.hidden = !text;
    if (text) {
      this.sofar.append(el("p", { class: "mode-badge" }, "문서로 확인된 문장 · 답변 작성 중"), answerText(text, this.refs));
    }
    this.draftNote.hidden = !removed.length;
    this.draftNote.textContent = `문서로 확인되지 않은 문장 ${removed.length}개는 답변에 넣지 않았습니다.`;
  }

  final(data) {
    this.result = data;
    clear(this.body).append(renderAnswer(data.answer, { collection: this.collection, messageId: data.message_id }));
    this.status.remove();
  }

  fail(message) {
    this.failed = true;
    this.status.remove();
    if (this.draft) this.draft.remove();  // no verified answer will replace it
    this.body.append(el("p", { class: "error", role: "alert" }, message || "답변을 만드는 중 오류가 발생했습니다"));
  }

  done() {
    this.node.setAttribute("aria-busy", "false");
  }
}
