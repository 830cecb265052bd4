// Per section: "수정" (the officer's own text, a paragraph per line) and "다시 쓰기" (the
// server writes the section again as a proposal; the page shows it as a diff against the
// current text, and only 적용 changes the draft, 버리기 leaves it as it was).

import { el } from "/static/dom.js";
import { plainMessage, richText } from "./draft_view.js";

const OPS = { same: ["diff-same", ""], removed: ["diff-removed", "삭제"], added: ["diff-added", "추가"] };

/** The diff of a proposal ({proposal, current, diff}) with 적용 and 버리기. */
export function proposalBox(reply, { onApply, onDiscard }) {
  const { proposal, diff } = reply;
  const changes = diff.paragraphs.map((change) => {
    const [cls, label] = OPS[change.op];
    const tag = change.op === "added" ? "ins" : change.op === "removed" ? "del" : "span";
    return el("li", { class: cls, "data-op": change.op },
      label ? el("span", { class: "diff-label" }, `${label}: `) : null,
      el(tag, {}, ...richText(change.text, change.op === "removed" ? [] : proposal.citations)));
  });
  const unchanged = diff.added === 0 && diff.removed === 0;
  return el("section", { class: "proposal", id: "proposal", "aria-labelledby": "proposal-title" },
    el("h5", { id: "proposal-title" }, `다시 쓴 제안 (적용 전) · ${proposal.section} ${proposal.title}`),
    el("p", { class: "hint", id: "proposal-stats" }, unchanged
      ? "현재 문안과 같습니다."
      : `추가 ${diff.added}문단 · 삭제 ${diff.removed}문단 · 작성: ${proposal.generator}`),
    proposal.truncated ? el("p", { class: "badge truncated" }, "제안이 생성 길이 한도에서 끊겼습니다") : null,
    el("ol", { class: "diff", id: "proposal-diff" }, changes),
    el("div", { class: "form-actions" },
      el("button", { type: "button", id: "proposal-apply", onclick: (event) => onApply(event.currentTarget) }, "적용"),
      el("button", { type: "button", class: "secondary", id: "proposal-discard",
        onclick: (event) => onDiscard(event.currentTarget) }, "버리기")));
}

function editForm(section, body, { onSave }) {
  const id = `edit-${section.number}`;
  const area = el("textarea", { id, rows: String(Math.min(16, Math.max(4, section.paragraphs.length + 2))),
    class: "section-editor", "aria-describedby": `${id}-hint ${id}-error` });
  area.value = section.paragraphs.join("\n");
  const error = el("p", { class: "error", id: `${id}-error`, role: "alert" });
  const form = el("form", { class: "section-edit-form", novalidate: true },
    el("label", { for: id }, `${section.number} ${section.title} 문안`),
    el("p", { class: "hint", id: `${id}-hint` }, "한 줄이 한 문단입니다. [1] 같은 표시는 근거 조문 번호이니 지우지 않으면 그대로 남습니다."),
    area, error,
    el("div", { class: "form-actions" },
      el("button", { type: "submit", class: "small" }, "저장"),
      el("button", { type: "button", class: "secondary small", onclick: () => close() }, "취소")));
  const close = () => {
    form.remove();
    body.hidden = false;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      await onSave(section.number, area.value.split("\n"));
    } catch (failure) {
      error.textContent = plainMessage(failure);
      area.setAttribute("aria-invalid", "true");
      area.focus();
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/** The section's buttons and, under it, a pending proposal for it. `handlers`: {proposal
 *  (the pending reply or null), onSave(number, lines), onRegenerate(number, button),
 *  onApply(button), onDiscard(button)}. */
export function sectionActions(section, handlers) {
  const name = `${section.number} ${section.title}`;
  const edit = el("button", { type: "button", class: "secondary small section-edit", "aria-label": `${name} 수정` }, "수정");
  edit.addEventListener("click", () => {
    const article = edit.closest(".rfp-section");
    if (article.querySelector(".section-edit-form")) return;
    const body = article.querySelector(".section-body");
    body.hidden = true;
    const form = editForm(section, body, handlers);
    body.after(form);
    form.querySelector("textarea").focus();
  });
  const regenerate = el("button", { type: "button", class: "secondary small section-regenerate",
    "aria-label": `${name} 다시 쓰기` }, "다시 쓰기");
  regenerate.addEventListener("click", () => handlers.onRegenerate(section.number, regenerate));
  const pending = handlers.proposal && handlers.proposal.proposal.section === section.number;
  return {
    buttons: el("div", { class: "section-buttons" }, edit, regenerate),
    below: pending ? proposalBox(handlers.proposal, handlers) : null,
  };
}
