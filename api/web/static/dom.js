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

const SVG_NS = "http://www.w3.org/2000/svg";
// Drawn on a 24×24 grid as strokes, so they take the text colour; emoji thumbs showed as
// empty boxes on PCs without an emoji font.
const THUMB = "M7 10v11M7 10l4-8c1.4 0 2.5 1.1 2.5 2.5V9h5.3a2 2 0 0 1 2 2.3l-1.3 7.9a2 2 0 0 1-2 1.8H3V10z";
const ICONS = {
  "thumb-up": [THUMB, null],
  "thumb-down": [THUMB, "matrix(1 0 0 -1 0 24)"],  // the same hand, upside down
};

/** A decorative inline SVG icon (hidden from screen readers: the button's text names it). */
export function icon(name) {
  const [path, transform] = ICONS[name];
  const svg = document.createElementNS(SVG_NS, "svg");
  for (const [key, value] of Object.entries({ viewBox: "0 0 24 24", class: `icon icon-${name}`,
    "aria-hidden": "true", focusable: "false" })) svg.setAttribute(key, value);
  const shape = document.createElementNS(SVG_NS, "path");
  shape.setAttribute("d", path);
  if (transform) shape.setAttribute("transform", transform);
  svg.append(shape);
  return svg;
}

/** Buttons marked data-disclosure show and hide the element their aria-controls names
 *  (class "open"; the stylesheet decides where closed means hidden). One listener for
 *  the whole page, so templates need no wiring. */
export function setupDisclosures(root = document) {
  root.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-disclosure]");
    if (!button) return;
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    document.getElementById(button.getAttribute("aria-controls"))?.classList.toggle("open", open);
  });
}
