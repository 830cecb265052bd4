// The evaluation dashboard (admins and evaluators): stored runs, one run's headline
// metrics and failing cases (filtered by the run's facets, a page at a time), and its
// self-contained HTML report (the plots) in a frame.

import { request } from "./api.js";
import { loadAssistants } from "./chat.js";
import { clear, el, formatDate, formatNumber, fromTemplate, tableHead } from "./dom.js";

const STATUS_LABELS = { running: "실행 중", done: "완료", failed: "실패", interrupted: "중단됨" };

// The headline numbers, in the order the dashboard shows them, when a run has them.
const HEADLINE = [
  ["retrieval.hit@5", "검색 hit@5"], ["retrieval.mrr@10", "검색 MRR@10"], ["answer.token_f1", "토큰 F1"],
  ["answer.correctness", "정답성 (판정)"], ["answer.faithfulness", "근거 충실성 (판정)"],
  ["citation.precision", "인용 정밀도"], ["citation.recall", "인용 재현율"], ["citation.invented", "지어낸 인용"],
  ["abstention.f1", "답변 보류 F1"], ["latency_ms.ttft_p50", "첫 토큰 p50"],
  ["latency_ms.total_p95", "전체 p95"], ["errors", "오류"],
];

function lookup(metrics, key) {
  let node = metrics;
  for (const part of key.split(".")) {
    if (!node || typeof node !== "object" || !(part in node)) return undefined;
    node = node[part];
  }
  return node;
}

/** Text for a value whose shape varies by run (a suite list, an llm object…). */
function describe(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.map(describe).join(", ");
  if (typeof value === "object") return value.name || value.mode || value.model || value.path || JSON.stringify(value);
  if (typeof value === "number") return formatNumber(value);
  return String(value);
}

function runId(run) {
  return run.id || run.run_id || run.name;
}

/** Shares with three decimals, milliseconds whole, counts as counts. */
function formatMetric(key, value) {
  if (typeof value !== "number") return "—";
  if (/latency|ttft|_ms$/.test(key)) return `${Math.round(value).toLocaleString("ko-KR")} ms`;
  if (/errors|invented/.test(key)) return formatNumber(value);
  return value.toFixed(3);
}

function headline(metrics, limit) {
  return HEADLINE.map(([key, label]) => [label, formatMetric(key, lookup(metrics || {}, key)), lookup(metrics || {}, key)])
    .filter(([, , value]) => typeof value === "number").slice(0, limit);
}

// The run list's flat headline (eval.runs.headline) under the dashboard's names.
const LIST_HEADLINE = [
  ["hit@5", "hit@5"], ["token_f1", "토큰 F1"], ["correctness", "정답성"], ["citation_recall", "인용 재현율"],
  ["abstention_f1", "보류 F1"], ["ttft_p50", "첫 토큰 p50"],
];

function listHeadline(flat) {
  return LIST_HEADLINE.filter(([key]) => typeof (flat || {})[key] === "number")
    .slice(0, 3).map(([key, label]) => `${label} ${formatMetric(key, flat[key])}`).join(" · ");
}

function runsTable(runs) {
  if (!runs.length) {
    return el("p", { class: "empty" }, "저장된 평가 실행이 없습니다. ", el("code", {}, "seoul-assist eval run"),
      "으로 실행을 만드세요.");
  }
  const rows = runs.map((run) => el("tr", {},
    el("th", { scope: "row" }, el("a", { href: `#/eval/${encodeURIComponent(runId(run))}` }, run.name || runId(run))),
    el("td", { class: "nowrap" }, describe(run.suite || run.suites)),
    el("td", { class: "nowrap" }, describe(run.llm)),
    el("td", { class: "nowrap" }, formatDate(run.started || run.created)),
    el("td", { class: "nowrap" }, STATUS_LABELS[run.status] || describe(run.status)),
    el("td", { class: "num" }, describe(run.n)),
    el("td", { class: "long-text" }, listHeadline(run.metrics) || "—")));
  return el("div", { class: "table-wrap" }, el("table", { class: "data-table" },
    el("caption", { class: "visually-hidden" }, "평가 실행 목록"),
    tableHead(["이름", "평가 세트", "모델", "시작", "상태", "문항", "주요 지표"], ["문항"]),
    el("tbody", {}, rows)));
}

/** Render #/eval. */
export async function showRuns(main) {
  const page = fromTemplate("tpl-eval");
  clear(main).append(page);
  document.title = "평가 - 서울시 AI 업무 도우미";
  const body = await request("/api/eval/runs");
  const runs = Array.isArray(body) ? body : (body && body.runs) || [];
  page.querySelector("#runs-box").append(runsTable(runs));
  return () => {};
}

function metricCards(metrics) {
  const items = headline(metrics, HEADLINE.length);
  if (!items.length) return el("p", { class: "empty" }, "지표가 아직 없습니다.");
  return el("dl", { class: "metric-cards" },
    items.map(([label, shown]) => el("div", { class: "metric" }, el("dt", {}, label), el("dd", {}, shown))));
}

// eval.failures.KIND_LABELS
const FAILURE_LABELS = {
  error: "오류", retrieval: "검색 실패", passages: "답변 구절 밖", abstained_answerable: "답할 수 있는데 답변 거절",
  answered_unanswerable: "답할 수 없는데 답변함", citation: "인용 근거 불일치", classification: "분류 불일치",
};

// Failing-case columns: header and how to read it from a case row (api/services/evaluations.case_row).
const CASE_COLUMNS = [
  ["문항", (c) => c.id],
  ["도우미", (c) => c.assistant],
  ["질문", (c) => c.question, "long-text"],
  ["답변", (c) => c.answer, "long-text"],
  ["실패 종류", (c) => (c.failure_kinds || []).map((k) => FAILURE_LABELS[k] || k).join(", ")],
  ["이유", (c) => c.failure || c.error, "long-text"],
  ["근거 순위", (c) => (c.scores || {}).rank],
  ["토큰 F1", (c) => (c.scores || {}).token_f1],
];

function casesTable(cases, assistantTitles) {
  const columns = CASE_COLUMNS.map(([label, read, cls]) =>
    (label === "도우미" ? [label, (c) => assistantTitles.get(c.assistant) || c.assistant, cls] : [label, read, cls]));
  // A scroll container must be reachable by keyboard to be scrolled (wide rows, long text).
  return el("div", { class: "table-wrap cases-wrap", role: "region", "aria-label": "실패한 문항 표", tabindex: "0" },
    el("table", { class: "data-table cases" },
      el("caption", { class: "visually-hidden" }, "실패한 문항"),
      el("thead", {}, el("tr", {}, columns.map(([label]) => el("th", { scope: "col" }, label)))),
      el("tbody", {}, cases.map((c) => el("tr", {}, columns.map(([, read, cls], i) => (i === 0
        ? el("th", { scope: "row" }, describe(read(c)))
        : el("td", { class: cls || null }, describe(read(c))))))))));
}

const PAGE_SIZE = 25;
const MAX_PAGE = 500;  // api.services.evaluations.MAX_PAGE
const FILTERS = ["assistant", "category", "failure"];

/** The failing-case view from the address (#/eval/<id>?assistant=…&offset=…&limit=…),
 *  so a filtered page can be bookmarked, shared and reloaded. */
function casesState(query) {
  const whole = (value, fallback, low, high) => {
    const n = Number.parseInt(value || "", 10);
    return Number.isFinite(n) ? Math.min(Math.max(n, low), high) : fallback;
  };
  const state = { offset: whole(query.get("offset"), 0, 0, Number.MAX_SAFE_INTEGER),
    limit: whole(query.get("limit"), PAGE_SIZE, 1, MAX_PAGE) };
  for (const name of FILTERS) state[name] = query.get(name) || "";
  return state;
}

function stateQuery(state) {
  const query = new URLSearchParams();
  for (const name of FILTERS) if (state[name]) query.set(name, state[name]);
  if (state.offset) query.set("offset", String(state.offset));
  if (state.limit !== PAGE_SIZE) query.set("limit", String(state.limit));
  return query;
}

/** Replace a select's choices after its first ("전체"); keeps `current` even when the
 *  run has no such value (an old bookmark), so the form shows what is applied. */
function fillChoices(select, choices, current) {
  const all = select.options[0];
  select.replaceChildren(all);
  const seen = new Set();
  for (const [value, label] of choices) {
    seen.add(value);
    select.append(el("option", { value }, label));
  }
  if (current && !seen.has(current)) select.append(el("option", { value: current }, current));
  select.value = current;
}

function pageSizeChoice(select, limit) {
  if (![...select.options].some((o) => Number(o.value) === limit)) {
    select.append(el("option", { value: String(limit) }, `${limit}건`));
  }
  select.value = String(limit);
}

async function assistantTitleMap() {
  try {
    return new Map((await loadAssistants()).map((a) => [a.name, a.title]));
  } catch {
    return new Map();  // the raw names still identify them
  }
}

/** The failing cases: filters from the run's facets, one page at a time. */
function setupCases(page, base, runPath, query) {
  const form = page.querySelector("#cases-filters");
  const selects = { assistant: form.elements.assistant, category: form.elements.category, failure: form.elements.failure };
  const sizeSelect = form.elements.limit;
  const box = page.querySelector("#cases-box");
  const count = page.querySelector("#cases-count");
  const pager = page.querySelector("#cases-pager");
  const prev = page.querySelector("#cases-prev");
  const next = page.querySelector("#cases-next");
  const range = page.querySelector("#cases-range");
  const state = casesState(query);
  pageSizeChoice(sizeSelect, state.limit);
  let titles = new Map();
  let facetsShown = false;
  let ticket = 0;

  function showFacets(facets) {
    facetsShown = true;
    fillChoices(selects.assistant, (facets.assistants || []).map((a) => [a, titles.get(a) || a]), state.assistant);
    fillChoices(selects.category, (facets.categories || []).map((c) => [c, c]), state.category);
    fillChoices(selects.failure, Object.entries(facets.failures || {})
      .map(([kind, n]) => [kind, `${FAILURE_LABELS[kind] || kind} (${formatNumber(n)})`]), state.failure);
  }

  function showPage(result) {
    const items = result.items || [];
    const total = result.total || 0;
    const filtered = FILTERS.some((name) => state[name]);
    clear(box);
    if (!total) {
      count.textContent = filtered ? "조건에 맞는 실패 문항이 없습니다." : "실패한 문항이 없습니다.";
      pager.hidden = true;
      return;
    }
    const first = state.offset + 1;
    const last = state.offset + items.length;
    count.textContent = `실패 ${formatNumber(total)}건 중 ${formatNumber(first)}–${formatNumber(last)}번째`;
    box.append(casesTable(items, titles));
    const pages = Math.ceil(total / state.limit);
    pager.hidden = pages <= 1;
    range.textContent = `${Math.floor(state.offset / state.limit) + 1} / ${pages} 쪽`;
    const hadFocus = document.activeElement;
    prev.disabled = state.offset === 0;
    next.disabled = last >= total;
    // A button that just became disabled drops the focus; hand it to its partner.
    if (hadFocus === next && next.disabled && !prev.disabled) prev.focus();
    if (hadFocus === prev && prev.disabled && !next.disabled) next.focus();
  }

  async function load() {
    const mine = ++ticket;
    const params = stateQuery(state);
    params.set("failed", "true");
    params.set("offset", String(state.offset));
    params.set("limit", String(state.limit));
    box.setAttribute("aria-busy", "true");
    let result;
    try {
      result = await request(`${base}/cases?${params}`);
    } catch (error) {
      if (mine !== ticket) return;
      box.removeAttribute("aria-busy");
      clear(box).append(el("p", { class: "error", role: "alert" }, error.message));
      return;
    }
    if (mine !== ticket || !box.isConnected) return;  // a newer request, or the user left
    box.removeAttribute("aria-busy");
    if (result.total && state.offset >= result.total) {
      // Past the end (a stale bookmark or a narrower filter): the last page instead.
      state.offset = Math.floor((result.total - 1) / state.limit) * state.limit;
      load();
      return;
    }
    if (!facetsShown) showFacets(result.facets || {});
    const shown = stateQuery(state).toString();
    history.replaceState(null, "", `${runPath}${shown ? `?${shown}` : ""}`);
    showPage(result);
  }

  form.addEventListener("change", () => {
    for (const name of FILTERS) state[name] = selects[name].value;
    state.limit = Number(sizeSelect.value) || PAGE_SIZE;
    state.offset = 0;
    load();
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    for (const name of FILTERS) {
      state[name] = "";
      selects[name].value = "";
    }
    state.offset = 0;
    load();
  });
  prev.addEventListener("click", () => {
    state.offset = Math.max(0, state.offset - state.limit);
    load();
  });
  next.addEventListener("click", () => {
    state.offset += state.limit;
    load();
  });
  return assistantTitleMap().then((found) => {
    titles = found;
    return load();
  });
}

/** Render #/eval/<run id>. */
export async function showRun(main, [id], query = new URLSearchParams()) {
  const page = fromTemplate("tpl-eval-run");
  clear(main).append(page);
  const base = `/api/eval/runs/${encodeURIComponent(id)}`;
  const body = await request(base);
  const run = body.summary || body.run || body;
  const metrics = body.metrics || {};
  const title = run.name || id;
  page.querySelector("#run-title").textContent = `평가 실행: ${title}`;
  document.title = `${title} - 평가 - 서울시 AI 업무 도우미`;
  const facts = [["상태", STATUS_LABELS[run.status] || describe(run.status)], ["평가 세트", describe(run.suite || run.suites)],
    ["모델", describe(run.llm)], ["판정 모델", run.judge ? describe(run.judge) : null],
    ["시작", formatDate(run.started || run.created)],
    ["문항", run.n_total ? `${formatNumber(run.n)} / ${formatNumber(run.n_total)}` : describe(run.n ?? metrics.n)]];
  page.querySelector("#run-summary").append(el("dl", { class: "run-facts" },
    facts.filter(([, value]) => value !== null)
      .map(([term, value]) => el("div", {}, el("dt", {}, term), el("dd", {}, value)))));
  page.querySelector("#run-metrics").append(metricCards(metrics));
  const report = `${base}/report`;
  const frame = page.querySelector("#report-frame");
  if (run.has_report === false) {
    frame.replaceWith(el("p", { class: "empty" }, "이 실행에는 보고서가 없습니다. ",
      el("code", {}, "seoul-assist eval report 실행폴더"), "로 만들 수 있습니다."));
    page.querySelector("#report-link").hidden = true;
  } else {
    frame.src = report;
    frame.title = `${title} 평가 보고서`;
    page.querySelector("#report-link").href = report;
  }
  await setupCases(page, base, `#/eval/${encodeURIComponent(id)}`, query);
  return () => {};
}
