// Building the page without HTML strings: every piece of server text becomes a text
// node, so an answer or a document that contains markup is shown, never run.

/**
 * Make an element. `attrs`: attribute values (strings; true = present, false/null = absent),
 * `on<event>` functions become listeners, `text` sets textContent. Children: nodes or
 * strings (strings become text nodes).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  append(node, ...children);
  return node;
}

export function append(parent, ...children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

/** A copy of a <template> from index.html (the static Korean wording lives there). */
export function fromTemplate(id) {
  const template = document.getElementById(id);
  return template.content.firstElementChild.cloneNode(true);
}

/** Markdown emphasis and heading marks read as noise in plain text. */
export function plain(text) {
  return String(text || "").replace(/\*\*/g, "").replace(/^#{1,6}\s+/gm, "");
}

let announceTimer = 0;

/** Say something to screen readers through the page's polite live region. */
export function announce(message) {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  clearTimeout(announceTimer);
  // A short gap so the same message twice is still read.
  announceTimer = setTimeout(() => { region.textContent = message; }, 50);
}

let idCounter = 0;

export function uniqueId(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A table's header row; labels in `numeric` are right-aligned over their numbers. */
export function tableHead(labels, numeric = []) {
  return el("thead", {}, el("tr", {}, labels.map((label) =>
    el("th", { scope: "col", class: numeric.includes(label) ? "num" : null }, label))));
}

/** Numbers as the dashboards show them: shares with three decimals, counts with commas. */
export function formatNumber(value) {
  if (typeof value !== "number" || Number.isNaN(value)) return value === null || value === undefined ? "—" : String(value);
  if (Number.isInteger(value)) return value.toLocaleString("ko-KR");
  return Math.abs(value) < 10 ? value.toFixed(3) : value.toFixed(1);
}

export function formatDate(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return date.toLocaleString("ko-KR", { dateStyle: "medium", timeStyle: "short" });
}
