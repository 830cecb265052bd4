// Citation chips for the 검진 결과 분류: a rule's citation (file, heading, 표 number) opens the
// main UI's passage viewer on the indexed passage stating the rule when the citation has its
// chunk_id (criteria read from the index), else on the guide's wording of the rule (the
// built-in criteria have no indexed passage); a retrieved passage (with its chunk_id) opens
// the passage itself. Both from GET /api/passages/<collection>/<chunk_id>.

import { openPassage } from "/static/dialog.js";
import { el } from "/static/dom.js";

export const state = { collection: "metabolic" };

/** "2025 … 안내서 › 제4장 … › 다. 군판정 (표 8)". */
export function citationLabel(citation) {
  const where = [citation.document, citation.heading].filter(Boolean).join(" › ");
  return citation.table ? `${where} (${citation.table})` : where;
}

/** A chip for a rule's citation; `text` is what the guide says there (the criterion). */
export function ruleChip(citation, text) {
  if (!citation) return null;
  const label = citationLabel(citation);
  const ref = { label, title: citation.document, locator: citation.heading, source: citation.source,
    text: text || `${label}에 적힌 기준입니다.`,
    ...(citation.chunk_id ? { collection: state.collection, chunk_id: citation.chunk_id } : {}) };
  return el("button", { type: "button", class: "cite rule-cite", "aria-haspopup": "dialog",
    "aria-label": `근거: ${label} 보기`, title: label, onclick: (event) => openPassage(ref, event.currentTarget) },
  citation.table || "근거");
}

/** A chip for a retrieved passage ({n, text, label, source, locator, page, chunk_id}). */
export function passageChip(passage) {
  const ref = { ...passage, collection: passage.collection || state.collection };
  const label = passage.label || passage.source || "근거 문서";
  return el("button", { type: "button", class: "cite", "aria-haspopup": "dialog", "data-n": passage.n,
    "aria-label": `근거 ${passage.n}: ${label} 보기`, title: label,
    onclick: (event) => openPassage(ref, event.currentTarget) }, String(passage.n));
}

/** Short footnote text for print: the document, its section (the heading's last part, not
 *  the whole path) and, where there is one, the table. */
export function footnote(citation) {
  const section = String(citation.heading || "").split(" › ").pop().trim();
  return [citation.document || citation.source || "안내서", section ? `「${section}」` : "", citation.table]
    .filter(Boolean).join(" ");
}
