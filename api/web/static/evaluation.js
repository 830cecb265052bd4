// The evaluation dashboard (admins and evaluators): stored runs, one run's headline
// metrics and failing cases, and its self-contained HTML report (the plots) in a frame.

import { request } from "./api.js";
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
    return el("p", { class: "empty" }, "저장된 평가 실행이 없습니다. `seoul-assist eval run`으로 실행을 만드세요.");
  }
  const rows = runs.map((run) => el("tr", {},
    el("th", { scope: "row" }, el("a", { href: `#/eval/${encodeURIComponent(runId(run))}` }, run.name || runId(run))),
    el("td", {}, describe(run.suite || run.suites)),
    el("td", {}, describe(run.llm)),
    el("td", {}, formatDate(run.started || run.created)),
    el("td", {}, STATUS_LABELS[run.status] || describe(run.status)),
    el("td", { class: "num" }, describe(run.n)),
    el("td", {}, listHeadline(run.metrics) || "—")));
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
  answered_unanswerable: "답할 수 없는데 답변함", citation: "인용 근거 불일치",
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

function casesTable(page) {
  const cases = Array.isArray(page) ? page : (page && page.items) || [];
  if (!cases.length) return el("p", { class: "empty" }, "실패한 문항이 없습니다.");
  const total = page.total ?? cases.length;
  return el("div", {},
    el("p", { class: "hint" }, total > cases.length ? `실패 ${total}건 중 ${cases.length}건을 보여 줍니다.` : `실패 ${total}건`),
    el("div", { class: "table-wrap cases-wrap" }, el("table", { class: "data-table cases" },
      el("caption", { class: "visually-hidden" }, "실패한 문항"),
      el("thead", {}, el("tr", {}, CASE_COLUMNS.map(([label]) => el("th", { scope: "col" }, label)))),
      el("tbody", {}, cases.map((c) => el("tr", {}, CASE_COLUMNS.map(([, read, cls], i) => (i === 0
        ? el("th", { scope: "row" }, describe(read(c)))
        : el("td", { class: cls || null }, describe(read(c)))))))))));
}

/** Render #/eval/<run id>. */
export async function showRun(main, [id]) {
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
    frame.replaceWith(el("p", { class: "empty" }, "이 실행에는 보고서가 없습니다. `seoul-assist eval report 실행폴더`로 만들 수 있습니다."));
    page.querySelector("#report-link").hidden = true;
  } else {
    frame.src = report;
    frame.title = `${title} 평가 보고서`;
    page.querySelector("#report-link").href = report;
  }
  const casesBox = page.querySelector("#cases-box");
  try {
    casesBox.append(casesTable(await request(`${base}/cases?failed=true&limit=100`)));
  } catch (error) {
    casesBox.append(el("p", { class: "error", role: "alert" }, error.message));
  }
  return () => {};
}
