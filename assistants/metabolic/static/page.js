// The 대사증후군 상담 매뉴얼's page (/assistants/metabolic): a participant's 검진 결과 in the
// form (typed, pasted or uploaded), classified by POST /api/assistants/metabolic/assess into a
// card, several participants into a batch table, a sheet to print for the participant, and
// the chat for free questions beside it. Nothing about a participant is kept by the page
// beyond what is on screen; the server keeps a result only when asked to ("이 결과 저장",
// where metabolic.store_history is on: saved_history.js).

import { request, streamEvents, upload } from "/static/api.js";
import { announce, clear, el } from "/static/dom.js";
import { setupDialog } from "/static/dialog.js";
import { PendingAnswer, userMessage } from "/static/pending_answer.js";
import { needSignIn, signIn } from "/static/page_session.js";
import { batchTable } from "./batch.js";
import { state as citations } from "./citations.js";
import { printSheet } from "./print_sheet.js";
import { FieldErrors, fillForm, fillSurvey, readForm } from "./record_form.js";
import { resultCard } from "./result_card.js";
import { afterSave, keepSaveChoice, loadHistory, saveFields, setupSaving } from "./saved_history.js";

const API = "/api/assistants/metabolic";
const CHAT = "/#/chat/metabolic";

const $ = (id) => document.getElementById(id);

/** What is on screen: the participant in the card and the review of its AI summary. */
const shown = { record: null, survey: null, result: null, review: null };

/** The assistant's collection (for the passage viewer) and sample questions (for the chat panel). */
async function loadAssistant() {
  try {
    const assistant = (await request("/api/assistants")).find((a) => a.name === "metabolic");
    if (!assistant) return;
    citations.collection = assistant.collection || citations.collection;
    $("chat-samples").replaceChildren(...(assistant.sample_questions || []).map((q) => el("li", {},
      el("button", { type: "button", class: "link-button chat-sample" , "data-question": q }, q))));
  } catch {
    // The samples are a convenience; the question box works without them.
  }
}

async function busy(button, work) {
  button.disabled = true;
  try {
    await work();
  } finally {
    button.disabled = false;
  }
}

function failed(errors, error, field = "") {
  if (error.name === "AbortError") return;
  if (error.status === 401) needSignIn();
  errors.show(error.field || field, error.message);
}

// --- one participant ------------------------------------------------------------------------

function newReview() {
  const review = { name: "", date: "" };
  review.approve = (name, date) => {
    Object.assign(review, { name, date });
    render();
    $("review-mark").focus?.();
    announce(`상담 요약을 ${name}님이 검토했습니다`);
  };
  review.summarize = () => summarize(review);
  return review;
}

function render() {
  const { result, review } = shown;
  const box = $("result-card");
  clear(box).append(...resultCard(result, review));
  clear($("print-sheet")).append(...printSheet(result, review));
  $("result").hidden = false;
  $("print-button").hidden = Boolean(result.errors);
}

/** `origin`: where a result not just computed comes from (a saved one), said above the card. */
function show(record, survey, result, origin = "") {
  Object.assign(shown, { record, survey, result, review: newReview() });
  render();
  $("result-origin").textContent = origin;
  $("result-origin").hidden = !origin;
  $("result-title").focus();
  announce(result.group ? `${result.group}, 위험요인 ${result.risk_factor_count}개` : "결과가 나왔습니다");
}

function hideResult() {
  $("result").hidden = true;
  clear($("result-card"));
  clear($("print-sheet"));
}

async function assessForm(errors) {
  errors.clear();
  const read = readForm(errors);
  if (!read) return;
  const body = { records: read.record, ...(read.survey ? { survey: read.survey } : {}), ...saveFields() };
  $("save-status").textContent = "";
  await busy($("assess-submit"), async () => {
    try {
      const reply = await request(`${API}/assess`, { method: "POST", json: body });
      const [result] = reply.results;
      if (result.errors) {
        hideResult();
        result.errors.forEach((e, index) => errors.show(e.field === "record" ? "" : e.field, e.message, { focus: index === 0 }));
        announce("입력을 확인해 주세요");
        return;
      }
      show(read.record, read.survey, result);
      if (reply.saved) await afterSave(reply.saved, historyActions);
    } catch (error) {
      hideResult();
      failed(errors, error);
    }
  });
}

/** The LLM's counselling summary for the record on screen, streamed from POST …/summary:
 *  the model's words shown apart as an unchecked draft until `final` brings the checked
 *  summary into the card (or, without a model, the server's notice). */
async function summarize(review) {
  const area = $("summary-stream");
  const status = el("p", { class: "msg-status", role: "status" }, "상담 요약을 만드는 중…");
  const draft = el("p", { class: "draft-text streaming" });
  area.append(status, el("section", { class: "draft", "aria-label": "검증 전 초안" },
    el("h4", { class: "draft-title" }, "검증 전 초안 — 근거 확인 중"), draft));
  const body = { record: shown.record, ...(shown.survey ? { survey: shown.survey } : {}) };
  const handlers = {
    queued: (data) => { status.textContent = `대기 순서: ${data.position}번째`; },
    token: (data) => { draft.append(data.text || ""); },
    final: (data) => {
      if (shown.review !== review) return;  // another participant is on screen now
      if (data.summary && data.summary.text) {
        shown.result = { ...shown.result, counselling_summary: data.summary };
        render();
        announce("상담 요약 초안이 나왔습니다. 검토해 주세요");
      } else {
        area.replaceChildren(el("p", { class: "notice", role: "status" }, data.notice || "요약을 만들지 못했습니다."));
      }
    },
    error: (data) => { area.replaceChildren(el("p", { class: "error", role: "alert" }, data.message)); },
  };
  await busy($("summary-button"), async () => {
    try {
      await streamEvents(`${API}/summary`, body, (name, data) => handlers[name]?.(data));
    } catch (error) {
      if (error.status === 401) needSignIn();
      area.replaceChildren(el("p", { class: "error", role: "alert" }, error.message));
    }
  });
}

// --- records from elsewhere: pasted, uploaded, several ---------------------------------------

/** Records in pasted text: a JSON object, a list, {"records": …, "survey": …} or JSONL. */
function pastedRecords(text) {
  let data;
  try {
    data = JSON.parse(text);
  } catch {
    data = text.split("\n").filter((line) => line.trim()).map((line, index) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`${index + 1}번째 줄이 올바른 JSON이 아닙니다: JSON 객체, 목록 또는 한 줄에 객체 하나(JSONL)로 붙여 넣어 주세요.`);
      }
    });
  }
  const records = data && !Array.isArray(data) && data.records ? data.records : data;
  const list = Array.isArray(records) ? records : [records];
  if (!list.length || list.some((r) => !r || typeof r !== "object" || Array.isArray(r))) {
    throw new Error("참여자 기록은 JSON 객체({\"sex\": \"남\", \"waist\": 92, …})나 그 목록이어야 합니다.");
  }
  return list;
}

async function useRecords(records) {
  if (records.length === 1) {
    $("batch").hidden = true;
    keepSaveChoice(() => fillForm(records[0]));
    $("record-form").requestSubmit();
    return;
  }
  const { results } = await request(`${API}/assess`, { method: "POST", json: { records } });
  const open = (index) => {
    fillForm(records[index]);
    const result = results[index];
    const errors = new FieldErrors($("record-form"));
    errors.clear();
    if (result.errors) {
      hideResult();
      result.errors.forEach((e, i) => errors.show(e.field === "record" ? "" : e.field, e.message, { focus: i === 0 }));
    } else {
      show(records[index], null, result);
    }
  };
  clear($("batch-result")).append(...batchTable(results, open));
  $("batch").hidden = false;
  hideResult();
  $("batch-title").scrollIntoView({ block: "start" });
  announce(`${results.length}명을 분류했습니다`);
}

function setupImport() {
  const form = $("import-form");
  const errors = new FieldErrors(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.clear();
    const text = $("paste-record").value.trim();
    if (!text) {
      errors.show("paste", "붙여 넣은 기록이 없습니다.");
      return;
    }
    let records;
    try {
      records = pastedRecords(text);
    } catch (error) {
      errors.show("paste", error.message);
      return;
    }
    busy($("paste-fill"), () => useRecords(records).catch((error) => failed(errors, error, "paste")));
  });
  $("record-file").addEventListener("change", async () => {
    errors.clear();
    const file = $("record-file").files[0];
    if (!file) return;
    const data = new FormData();
    data.append("file", file);
    try {
      const { records } = await upload(`${API}/records`, data, () => {});
      await useRecords(records);
    } catch (error) {
      failed(errors, error, "file");
    } finally {
      $("record-file").value = "";
    }
  });
}

// --- saved results (metabolic.store_history) ----------------------------------------------

const historyActions = {
  signIn: needSignIn,
  show: (saved, origin) => {
    fillForm(saved.record);
    fillSurvey(saved.survey);
    show(saved.record, saved.survey, saved.result, origin);
  },
};

// --- the chat beside the form ---------------------------------------------------------------

/** The panel answers here, as the chat page does (quotes first, the model's words checked
 *  sentence by sentence); follow-up questions continue the same conversation, which the
 *  chat page lists with the user's others ("대화 화면에서 이어 보기"). */
const panel = { conversationId: null, busy: false };

async function askHere(question) {
  if (!question || panel.busy) return;
  panel.busy = true;
  $("chat-open").disabled = true;
  const log = $("chat-log");
  log.hidden = false;
  log.append(userMessage(question));
  $("chat-question").value = "";
  const pending = new PendingAnswer(log, citations.collection);
  try {
    await streamEvents(`/api/chat/metabolic/stream`, { question, conversation_id: panel.conversationId },
      (name, data) => pending.handle(name, data));
    if (!pending.result && !pending.failed) pending.fail("답변이 중간에 끊겼습니다. 다시 질문해 주세요.");
    if (pending.result) {
      panel.conversationId = pending.result.conversation_id;
      $("chat-link").href = `${CHAT}/${panel.conversationId}`;
      $("chat-link").textContent = "대화 화면에서 이어 보기 (새 탭)";
      announce("답변이 완료되었습니다");
    }
  } catch (error) {
    if (error.status === 401) needSignIn();
    pending.fail(error.message);
  } finally {
    pending.done();
    panel.busy = false;
    $("chat-open").disabled = false;
  }
}

function setupChat() {
  $("chat-form").addEventListener("submit", (event) => {
    event.preventDefault();
    askHere($("chat-question").value.trim());
  });
  $("chat-samples").addEventListener("click", (event) => {
    const sample = event.target.closest(".chat-sample");
    if (sample) askHere(sample.dataset.question);
  });
}

function start() {
  $("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    $("main").focus();
  });
  setupDialog();
  const form = $("record-form");
  const errors = new FieldErrors(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    assessForm(errors);
  });
  form.addEventListener("reset", () => {
    errors.clear();
    hideResult();
  });
  $("print-button").addEventListener("click", () => window.print());
  setupSaving();
  setupImport();
  setupChat();
  signIn().then((user) => {
    if (!user) return;
    loadAssistant();
    loadHistory(historyActions);
  });
}

start();
