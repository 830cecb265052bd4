// "내 초안": the user's saved drafts (an admin's list holds everyone's, with the owner),
// last changed first, each opened again or deleted after a confirmation.

import { el, formatDate } from "/static/dom.js";

/** Items for GET …/drafts's list; `current` is the id on screen. */
export function savedItems(drafts, current, { onOpen, onDelete }) {
  if (!drafts.length) return [el("li", { class: "empty" }, "저장한 초안이 없습니다.")];
  return drafts.map((draft) => {
    const approved = draft.status === "approved";
    const open = el("button", { type: "button", class: "secondary small saved-open",
      "aria-label": `#${draft.id} ${draft.title} 열기` }, "열기");
    open.addEventListener("click", () => onOpen(draft.id, open));
    const remove = el("button", { type: "button", class: "danger small saved-delete",
      "aria-label": `#${draft.id} ${draft.title} 삭제` }, "삭제");
    remove.addEventListener("click", () => {
      if (window.confirm(`초안 #${draft.id} “${draft.title}”을(를) 삭제할까요? 되돌릴 수 없습니다.`)) onDelete(draft.id, remove);
    });
    return el("li", { class: "saved-item", "data-id": draft.id, "aria-current": draft.id === current ? "true" : null },
      el("p", { class: "saved-title" }, `#${draft.id} ${draft.title}`),
      el("p", { class: "saved-meta" }, draft.agency,
        draft.budget_krw ? ` · ${draft.budget_krw.toLocaleString("ko-KR")}원` : "",
        draft.owner ? ` · ${draft.owner}` : ""),
      el("p", { class: `saved-status ${approved ? "approved" : "ai-draft"}` },
        approved ? `검토 승인: ${draft.approved_by}` : draft.status_label, ` · ${formatDate(draft.updated_at)}`),
      el("div", { class: "saved-actions" }, open, remove));
  });
}
