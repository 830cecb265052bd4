// The 영유아 보육행정 업무매뉴얼's own page (/assistants/childcare): 별표 안내 over
// GET /api/assistants/childcare/appendices, and the assistant's sample questions, each
// opening the chat with it. Admins upload a 별표's file through the core's document API
// (the one the 문서 화면 uses), renamed to name its law and number, which is how an
// uploaded 별표 counts as indexed (rag/answer/appendices.py). Server text only ever goes
// in as text.

import { request, upload } from "/static/api.js";
import { announce, append, clear, el, uniqueId } from "/static/dom.js";
import { signIn } from "/static/page_session.js";

const ASSISTANT = "childcare";
const API = `/api/assistants/${ASSISTANT}`;
const POLL_MS = 2000;
// The upload API refuses these in a file name (Windows shares the folders); / would make a folder.
const NAME_UNSAFE = /[<>:"|?*\\/\u0000-\u001f]/g;
const MAX_NAME_BYTES = 200;  // the API allows 240; leave room
const JOB_TEXT = {
  queued: "색인 대기 중입니다. 색인이 끝나면 이 별표도 검색되고 답변에 인용됩니다.",
  running: "색인하는 중…",
  done: "색인했습니다. 이제 이 별표도 검색되고 답변에 근거로 인용됩니다.",
};

const $ = (id) => document.getElementById(id);

function showError(message) {
  $("appendices").hidden = false;
  clear($("appendix-list"));
  $("appendix-error").textContent = message;
}

// --- sample questions --------------------------------------------------------------------

/** The assistant's sample questions (assistant.yaml), each a link that opens the chat with it. */
function showSamples(assistant) {
  const questions = (assistant && assistant.sample_questions) || [];
  if (!questions.length) return;
  const chat = `/#/chat/${encodeURIComponent(ASSISTANT)}`;
  $("sample-list").append(...questions.map((q) =>
    el("li", {}, el("a", { class: "sample-link", href: `${chat}?q=${encodeURIComponent(q)}` }, q))));
  $("samples").hidden = false;
}

// --- 별표 안내 --------------------------------------------------------------------------------

function byteLength(text) {
  return new TextEncoder().encode(text).length;
}

/** "영유아보육법 시행규칙 별표 2 보육교직원의 배치기준(제10조 관련).pdf": the law and the number
 *  are what make the upload count as this 별표; the title only when the name stays short. */
export function uploadName(law, appendix, fileName) {
  const ext = (/\.[^./\\]+$/.exec(fileName) || [""])[0].toLowerCase();
  const title = appendix.title.replace(NAME_UNSAFE, " ").replace(/\s+/g, " ").trim();
  const full = `${law} ${appendix.label}${title ? ` ${title}` : ""}`.replace(NAME_UNSAFE, " ");
  const short = `${law} ${appendix.label}`.replace(NAME_UNSAFE, " ");
  return `${byteLength(full + ext) <= MAX_NAME_BYTES ? full : short}${ext}`;
}

function statusBadge(indexed) {
  return indexed
    ? el("span", { class: "badge badge-indexed" }, "색인됨")
    : el("span", { class: "badge badge-missing" }, "색인 안 됨");
}

function markIndexed(item) {
  item.dataset.indexed = "true";
  item.querySelector(".badge").replaceWith(statusBadge(true));
  updateSummary();
}

/** Follow an upload's job until it is done or failed, saying where it stands. */
function trackJob(job, item, status) {
  const show = (current) => {
    const failed = current.status === "failed" || current.status === "deleted";
    status.className = `upload-status ${failed ? "error" : `job-${current.status}`}`;
    status.textContent = failed
      ? `올리지 못했습니다: ${current.message || "알 수 없는 오류"}`
      : `${current.filename}: ${JOB_TEXT[current.status] || current.status}`;
    if (current.status === "done") markIndexed(item);
    return failed || current.status === "done";
  };
  const poll = async () => {
    if (!item.isConnected) return;
    let current;
    try {
      current = await request(`/api/jobs/${job.id}`);
    } catch (error) {
      current = { ...job, status: "failed", message: error.message };
    }
    if (!show(current)) setTimeout(poll, POLL_MS);
  };
  if (!show(job)) setTimeout(poll, POLL_MS);
}

/** An admin's control for one 별표: pick its file, and it goes to the core's upload API. */
function uploadControl(collection, law, appendix, item) {
  const input = uniqueId("appendix-file");
  const status = el("p", { class: "upload-status", role: "status" });
  const file = el("input", { id: input, type: "file", accept: ".pdf,.hwp,.hwpx", "aria-describedby": `${input}-hint` });
  const button = el("button", { type: "submit", class: "small" }, "올리기");
  const form = el("form", { class: "upload-form", novalidate: true },
    el("label", { for: input }, `${law} ${appendix.label} 파일 (PDF, HWP, HWPX)`),
    el("div", { class: "upload-row" }, file, button),
    el("p", { id: `${input}-hint`, class: "hint" },
      "올린 파일은 다른 문서처럼 색인되고 답변에 근거로 인용됩니다."),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) {
      status.className = "upload-status error";
      status.textContent = "올릴 별표 파일을 고르세요.";
      file.focus();
      return;
    }
    const data = new FormData();
    data.append("files", chosen, uploadName(law, appendix, chosen.name));
    data.append("access", "public");  // statutes and their 별표 are public
    button.disabled = true;
    status.className = "upload-status";
    status.textContent = "파일을 보내는 중…";
    try {
      const reply = await upload(`/api/collections/${encodeURIComponent(collection)}/documents`, data, () => {});
      file.value = "";
      trackJob(reply.jobs[0], item, status);
    } catch (error) {
      status.className = "upload-status error";
      status.textContent = `올리지 못했습니다: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
  return el("details", { class: "upload" }, el("summary", {}, "별표 파일 올리기"), form);
}

function appendixItem(collection, group, appendix, canUpload) {
  const item = el("li", { class: "appendix", "data-law": group.law, "data-label": appendix.label,
    "data-indexed": String(appendix.indexed) });
  const name = `${group.law} ${appendix.label}`;
  append(item,
    el("p", { class: "appendix-head" },
      el("span", { class: "appendix-label" }, `[${appendix.label}]`), " ",
      el("span", { class: "appendix-title" }, appendix.title || "(제목 없음)"), " ",
      statusBadge(appendix.indexed)),
    appendix.articles.length
      ? el("p", { class: "appendix-articles" }, `관련 조문: ${appendix.articles.join(", ")}`)
      : null,
    appendix.link
      ? el("p", { class: "appendix-link" }, el("a", { href: appendix.link, target: "_blank", rel: "noopener noreferrer",
        "aria-label": `${name} 원문 (법제처, 새 창)` }, "원문 보기 (법제처)"))
      : null,
    canUpload ? uploadControl(collection, group.law, appendix, item) : null);
  return item;
}

function lawSection(collection, group, canUpload) {
  const meta = [group.kind, group.effective_date ? `시행 ${group.effective_date}` : ""].filter(Boolean).join(" · ");
  return el("section", { class: "law", "data-law": group.law },
    el("h3", {}, group.law, meta ? el("span", { class: "law-meta" }, ` ${meta}`) : null),
    el("ul", { class: "appendix-items" },
      group.appendices.map((appendix) => appendixItem(collection, group, appendix, canUpload))));
}

function updateSummary() {
  const items = [...document.querySelectorAll("#appendix-list .appendix")];
  const indexed = items.filter((item) => item.dataset.indexed === "true").length;
  $("appendix-summary").textContent = items.length
    ? `별표 ${items.length}개 중 ${indexed}개 색인됨, ${items.length - indexed}개는 답변에서 원문 링크로 안내합니다.`
    : "";
  applyFilter();
}

function applyFilter() {
  const onlyMissing = $("only-missing").checked;
  for (const section of document.querySelectorAll("#appendix-list .law")) {
    let shown = 0;
    for (const item of section.querySelectorAll(".appendix")) {
      item.hidden = onlyMissing && item.dataset.indexed === "true";
      if (!item.hidden) shown += 1;
    }
    section.hidden = shown === 0;
  }
}

function showAppendices(reply) {
  const list = clear($("appendix-list"));
  $("upload-help").hidden = !reply.can_upload;
  if (!reply.laws.length) {
    list.append(el("p", { class: "empty" },
      "색인된 보육 법령에 별표를 가리키는 조문이 없습니다. 법령을 색인했는지 관리자에게 확인하세요."));
  }
  list.append(...reply.laws.map((group) => lawSection(reply.collection, group, reply.can_upload)));
  updateSummary();
}

async function start() {
  $("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    $("main").focus();
  });
  $("only-missing").addEventListener("change", () => {
    applyFilter();
    announce($("only-missing").checked ? "색인되지 않은 별표만 보입니다" : "모든 별표가 보입니다");
  });
  if (!await signIn((error) => showError(error.message))) return;
  $("appendices").hidden = false;
  const [assistants, appendices] = await Promise.allSettled([
    request("/api/assistants"), request(`${API}/appendices`)]);
  if (assistants.status === "fulfilled") showSamples(assistants.value.find((a) => a.name === ASSISTANT));
  if (appendices.status === "fulfilled") showAppendices(appendices.value);
  else showError(appendices.reason.message);
}

start();
