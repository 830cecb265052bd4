// The source passage in a modal dialog: the article with its 시행일자, or for a PDF the
// whole page with the passage marked. Focus stays inside; Escape closes; focus returns
// to the chip that opened it.

import { request } from "./api.js";
import { el, clear, plain } from "./dom.js";

const VERSION_LABELS = { current: "현행", previous: "이전 버전" };
let opener = null;
let loading = 0;

function dialog() {
  return document.getElementById("passage-dialog");
}

/** Where `needle` sits in `haystack` when whitespace is ignored: [start, end] or null. */
export function findLoosely(haystack, needle) {
  const positions = [];
  let squeezed = "";
  for (let i = 0; i < haystack.length; i += 1) {
    if (!/\s/.test(haystack[i])) {
      positions.push(i);
      squeezed += haystack[i];
    }
  }
  const target = needle.replace(/\s+/g, "");
  const at = target ? squeezed.indexOf(target) : -1;
  if (at < 0) return null;
  return [positions[at], positions[at + target.length - 1] + 1];
}

/** The page with the passage in <mark>: at the server's offsets when they hold (they
 *  count code points, JavaScript counts UTF-16 units), else wherever the passage's
 *  words are found with whitespace ignored. */
function pageWithMark(pageText, passageText, highlight) {
  const box = el("div", { class: "passage-text page-text" });
  let page = String(pageText);
  let span = highlight ? [highlight.start, highlight.end] : null;
  if (!span || !passageText || page.slice(span[0], span[1]) !== passageText) {
    page = plain(page);
    span = findLoosely(page, plain(passageText || "").trim());
  }
  if (!span) {
    box.append(page);
    return box;
  }
  box.append(page.slice(0, span[0]), el("mark", {}, page.slice(span[0], span[1])), page.slice(span[1]));
  return box;
}

function metaLine(p) {
  const items = [
    ["시행일자", p.effective_date],
    ["버전", VERSION_LABELS[p.version] || p.version],
    ["위치", p.page ? `${p.page}쪽` : p.locator],
    ["파일", p.source],
  ].filter(([, value]) => value);
  return el("dl", { class: "passage-meta" },
    items.map(([term, value]) => el("div", {}, el("dt", {}, term), el("dd", {}, String(value)))));
}

function render(p, note = "") {
  const box = dialog();
  box.querySelector("#passage-title").textContent = p.label || p.title || "근거 문서";
  const body = clear(box.querySelector(".dialog-body"));
  if (p.title && p.title !== p.label) body.append(el("p", { class: "passage-doc-title" }, p.title));
  body.append(metaLine(p));
  if (p.page_text) {
    body.append(el("h3", { class: "passage-section" }, `${p.page}쪽 전체 (인용 부분 강조)`), pageWithMark(p.page_text, p.text, p.highlight));
  } else {
    body.append(el("div", { class: "passage-text" }, plain(p.text || "")));
  }
  if (p.file_url) {
    body.append(el("p", {}, el("a", { href: p.file_url, target: "_blank", rel: "noopener" },
      p.page ? `원본 파일 열기 (${p.page}쪽)` : "원본 파일 열기")));
  }
  if (note) body.append(el("p", { class: "dialog-note", role: "status" }, note));
  const mark = body.querySelector("mark");
  if (mark) mark.scrollIntoView({ block: "center" });
}

/** Open the passage `ref` ({collection, chunk_id, label, text?...}) from `trigger`. */
export async function openPassage(ref, trigger) {
  const box = dialog();
  opener = trigger || document.activeElement;
  const ticket = ++loading;
  render(ref, ref.text ? "" : "불러오는 중…");
  if (!box.open) box.showModal();
  box.querySelector(".dialog-close").focus();
  if (!ref.collection || !ref.chunk_id) return;
  try {
    const full = await request(`/api/passages/${encodeURIComponent(ref.collection)}/${encodeURIComponent(ref.chunk_id)}`);
    if (ticket === loading && box.open) render({ ...ref, ...full });
  } catch (error) {
    if (ticket === loading && box.open) {
      render(ref, ref.text ? "" : `문서를 불러오지 못했습니다: ${error.message}`);
    }
  }
}

function closeDialog() {
  const box = dialog();
  if (box.open) box.close();
}

function trapFocus(event) {
  if (event.key !== "Tab") return;
  const focusable = [...dialog().querySelectorAll("button, a[href], textarea, input, select, [tabindex]:not([tabindex='-1'])")]
    .filter((node) => !node.disabled && node.offsetParent !== null);
  if (!focusable.length) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault();
    first.focus();
  }
}

export function setupDialog() {
  const box = dialog();
  box.querySelector(".dialog-close").addEventListener("click", closeDialog);
  box.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeDialog();
    } else {
      trapFocus(event);
    }
  });
  // A click on the backdrop (the dialog element itself, outside its content) closes it.
  box.addEventListener("click", (event) => { if (event.target === box) closeDialog(); });
  box.addEventListener("close", () => {
    loading += 1;
    if (opener && document.contains(opener)) opener.focus();
    opener = null;
  });
}
