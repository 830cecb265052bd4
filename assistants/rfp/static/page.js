// The 제안요청서 생성 AI's page (/assistants/rfp): the inputs in a form (typed or a pasted
// rfp_cases.jsonl line), the draft written section by section with its progress streamed
// from POST /api/assistants/rfp/drafts/stream and saved for the user, then the saved draft
// to review: sections with their cited articles, requirements to edit, a section rewritten
// as a proposal shown as a diff, approval with the officer's name, DOCX/HWPX/JSON export,
// and the user's saved drafts beside it. Every change goes through the saved-drafts API
// (assistants/rfp/drafts_web.py); the page keeps nothing of its own.

import { request, streamEvents } from "/static/api.js";
import { announce, clear, el } from "/static/dom.js";
import { setupDialog } from "/static/dialog.js";
import { needSignIn, signIn } from "/static/page_session.js";
import { assumptionList, plainMessage, reviewBanner, ruleFactsTable, sectionBlock, similarList, state as citations } from "./draft_view.js";
import { FieldErrors, fillInputs, pastedObject, readInputs } from "./input_form.js";
import { requirementsBlock } from "./requirements.js";
import { savedItems } from "./saved_list.js";
import { sectionActions } from "./section_edit.js";

const API = "/api/assistants/rfp";
const DRAFTS = `${API}/drafts`;

const $ = (id) => document.getElementById(id);

/** What is on screen: the saved draft's view, its pending proposal, the server's notices
 *  about the last change. */
const shown = { view: null, proposal: null, notices: [] };

/** The assistant's collection, where the chips' articles are read from. */
async function loadAssistant() {
  try {
    const assistant = (await request("/api/assistants")).find((a) => a.name === "rfp");
    if (assistant && assistant.collection) citations.collection = assistant.collection;
  } catch {
    // The default collection name serves.
  }
}

async function busy(button, work) {
  if (button) button.disabled = true;
  try {
    return await work();
  } finally {
    if (button) button.disabled = false;
  }
}

function draftUrl(suffix = "") {
  return `${DRAFTS}/${shown.view.id}${suffix}`;
}

// --- drafting with progress ---------------------------------------------------------------------

function resetProgress() {
  $("progress-section").hidden = false;
  $("draft-progress").max = 1;
  $("draft-progress").value = 0;
  $("progress-count").textContent = "0/0";
  $("progress-status").textContent = "초안 작성을 시작합니다…";
  clear($("progress-log"));
}

function progressed({ section, done, total }) {
  $("draft-progress").max = total;
  $("draft-progress").value = done;
  $("progress-count").textContent = `${done}/${total}`;
  $("progress-status").textContent = done < total ? `작성 중: ${section} (${done}/${total})` : `${total}개 절을 모두 작성했습니다. 저장하는 중…`;
  $("progress-log").append(el("li", {}, section));
}

async function draftFromForm(errors) {
  errors.clear();
  const body = { input: readInputs(), llm: $("f-llm").checked };
  resetProgress();
  $("progress-section").scrollIntoView({ block: "nearest" });
  let savedId = null;
  const handlers = {
    queued: ({ position }) => { $("progress-status").textContent = `언어 모델 대기 순서: ${position}번째`; },
    progress: progressed,
    done: (data) => {
      savedId = data.id;
      $("progress-status").textContent = `초안 #${data.id}을(를) 저장했습니다.`;
      shown.notices = data.notices || [];
    },
    error: (data) => {
      $("progress-status").textContent = "초안을 만들지 못했습니다.";
      errors.show(data.field || "", data.message);
    },
  };
  await busy($("draft-submit"), async () => {
    try {
      await streamEvents(`${DRAFTS}/stream`, body, (name, data) => handlers[name]?.(data));
    } catch (error) {
      $("progress-section").hidden = true;
      if (error.status === 401) needSignIn();
      errors.show(error.field || "", error.message);
      announce("입력을 확인해 주세요");
      return;
    }
    if (savedId !== null) {
      await openDraft(savedId, { keepNotices: true });
      refreshList();
    }
  });
}

// --- the draft on screen ---------------------------------------------------------------------

function renamedNote(renamed) {
  const entries = Object.entries(renamed || {});
  if (!entries.length) return null;
  const moved = entries.filter(([, now]) => now).map(([old, now]) => `${old} → ${now}`);
  const gone = entries.filter(([, now]) => !now).map(([old]) => old);
  return [moved.length ? `고유번호를 다시 매겼습니다: ${moved.join(", ")}` : "",
    gone.length ? `삭제: ${gone.join(", ")}` : ""].filter(Boolean).join(" · ");
}

/** Take a changed draft from the server's reply (the saved view with `draft`). */
function took(reply, extra = []) {
  shown.view = reply;
  shown.proposal = null;  // any change drops a pending proposal on the server too
  shown.notices = [...(reply.notices || []), ...extra.filter(Boolean)];
  render();
  refreshList();
  if (shown.notices.length) announce(shown.notices.join(" "));
}

async function saveSection(number, lines) {
  took(await request(draftUrl(`/sections/${encodeURIComponent(number)}`), { method: "PUT", json: { paragraphs: lines } }));
  document.querySelector(`.rfp-section[data-section="${CSS.escape(number)}"] .section-edit`)?.focus();
}

async function regenerate(number, button) {
  await busy(button, async () => {
    try {
      shown.proposal = await request(draftUrl(`/sections/${encodeURIComponent(number)}/regenerate`),
        { method: "POST", json: { llm: $("f-llm").checked } });
      shown.notices = [];
      render();
      $("proposal")?.scrollIntoView({ block: "nearest" });
      $("proposal-apply")?.focus();
      announce(`${number} 절을 다시 쓴 제안이 나왔습니다. 차이를 보고 적용하거나 버리세요`);
    } catch (error) {
      failedChange(error);
    }
  });
}

async function applyProposal(button) {
  const number = shown.proposal.proposal.section;
  await busy(button, async () => {
    try {
      took(await request(draftUrl("/proposal/apply"), { method: "POST" }), [`${number} 절에 제안을 적용했습니다.`]);
      document.querySelector(`.rfp-section[data-section="${CSS.escape(number)}"] .section-edit`)?.focus();
    } catch (error) {
      failedChange(error);
    }
  });
}

async function discardProposal(button) {
  const number = shown.proposal.proposal.section;
  await busy(button, async () => {
    try {
      await request(draftUrl("/proposal"), { method: "DELETE" });
      shown.proposal = null;
      shown.notices = [`${number} 절의 제안을 버렸습니다: 초안은 그대로입니다.`];
      render();
      document.querySelector(`.rfp-section[data-section="${CSS.escape(number)}"] .section-regenerate`)?.focus();
    } catch (error) {
      failedChange(error);
    }
  });
}

function failedChange(error) {
  if (error.status === 401) needSignIn();
  shown.notices = [plainMessage(error)];
  renderNotices(true);
}

async function saveRequirement(id, fields) {
  const reply = await request(draftUrl(`/requirements/${encodeURIComponent(id)}`), { method: "PATCH", json: fields });
  took(reply, [renamedNote(reply.renamed_ids)]);
  focusRequirement(reply.requirement_id);
}

async function deleteRequirement(id) {
  const reply = await request(draftUrl(`/requirements/${encodeURIComponent(id)}`), { method: "DELETE" });
  took(reply, [renamedNote(reply.renamed_ids) || `요구사항 ${id}을(를) 삭제했습니다.`]);
  $("requirements-title").focus();
}

async function addRequirement(fields) {
  const reply = await request(draftUrl("/requirements"), { method: "POST", json: fields });
  took(reply, [`요구사항 ${reply.requirement_id}을(를) 추가했습니다.`, renamedNote(reply.renamed_ids)]);
  focusRequirement(reply.requirement_id);
}

function focusRequirement(id) {
  if (id) document.querySelector(`#requirements-table tr[data-id="${CSS.escape(id)}"] .req-edit`)?.focus();
}

function renderNotices(alert = false) {
  const box = clear($("draft-notices"));
  box.setAttribute("role", alert ? "alert" : "status");
  box.append(...shown.notices.map((text) => el("p", {
    class: `notice${text.includes("승인이 취소") ? " approval-cleared" : ""}` }, text)));
}

function render() {
  const { view } = shown;
  const draft = view.draft;
  const review = draft.review;
  $("draft-title").textContent = `#${view.id} ${draft.input.project_name}`;
  for (const format of ["docx", "hwpx", "json"]) {
    const link = $(`export-${format}`);
    link.href = draftUrl(`/export?format=${format}`);
    link.setAttribute("aria-label", `${format.toUpperCase()}로 내보내기`);
  }
  clear($("review-box")).append(reviewBanner(review));
  $("approve-form").hidden = Boolean(review.approved_by);
  renderNotices();
  $("draft-facts").textContent = `${draft.input.agency} · 절 ${draft.sections.length}개 · 요구사항 ${draft.requirements.length}건 · 작성: ${draft.generator}`;
  clear($("assumptions-box")).append(assumptionList(draft.assumptions, draft.removed_citations) ||
    el("p", { class: "empty" }, "가정한 내용이 없습니다."));
  const handlers = { proposal: shown.proposal, onSave: saveSection, onRegenerate: regenerate,
    onApply: applyProposal, onDiscard: discardProposal };
  clear($("sections")).append(...draft.sections.map((section) => sectionBlock(section, sectionActions(section, handlers))));
  clear($("requirements-box")).append(...requirementsBlock(draft.requirements, {
    onSave: saveRequirement, onDelete: deleteRequirement, onAdd: addRequirement, onCancel: render }));
  clear($("rules-box")).append(ruleFactsTable(draft.rule_facts));
  clear($("similar-box")).append(similarList(draft.similar));
  $("draft-section").hidden = false;
}

async function openDraft(id, { keepNotices = false, button = null } = {}) {
  await busy(button, async () => {
    try {
      const view = await request(`${DRAFTS}/${id}`);
      shown.view = view;
      shown.proposal = view.has_proposal ? await request(`${DRAFTS}/${id}/proposal`).catch(() => null) : null;
      if (!keepNotices) shown.notices = [];
      render();
      markCurrent();
      $("draft-title").focus();
      $("draft-title").scrollIntoView({ block: "start" });
      announce(`초안 #${id}을(를) 열었습니다`);
    } catch (error) {
      if (error.status === 401) needSignIn();
      $("saved-status").textContent = error.message;
    }
  });
}

// --- approval --------------------------------------------------------------------------------

function setupApproval() {
  const form = $("approve-form");
  const errors = new FieldErrors(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.clear();
    const officer = $("officer-name").value.trim();
    if (!officer) {
      errors.show("officer", "승인하는 담당자의 이름을 적어 주세요.");
      return;
    }
    await busy($("approve-submit"), async () => {
      try {
        took(await request(draftUrl("/approve"), { method: "POST", json: { officer } }),
          [`${officer}님의 검토 승인을 기록했습니다.`]);
        $("officer-name").value = "";
        $("review-banner").setAttribute("tabindex", "-1");
        $("review-banner").focus();
      } catch (error) {
        if (error.status === 401) needSignIn();
        errors.show(error.field || "officer", error.message);
      }
    });
  });
}

// --- my saved drafts -------------------------------------------------------------------------

function markCurrent() {
  for (const item of document.querySelectorAll("#saved-list .saved-item")) {
    const current = shown.view && Number(item.dataset.id) === shown.view.id;
    if (current) item.setAttribute("aria-current", "true");
    else item.removeAttribute("aria-current");
  }
}

async function refreshList() {
  try {
    const { drafts } = await request(DRAFTS);
    clear($("saved-list")).append(...savedItems(drafts, shown.view && shown.view.id, {
      onOpen: (id, button) => openDraft(id, { button }),
      onDelete: deleteDraft,
    }));
  } catch (error) {
    if (error.status === 401) needSignIn();
    $("saved-status").textContent = error.message;
  }
}

async function deleteDraft(id, button) {
  await busy(button, async () => {
    try {
      await request(`${DRAFTS}/${id}`, { method: "DELETE" });
      if (shown.view && shown.view.id === id) {
        shown.view = null;
        $("draft-section").hidden = true;
      }
      $("saved-status").textContent = `초안 #${id}을(를) 삭제했습니다.`;
      await refreshList();
      $("saved-title").setAttribute("tabindex", "-1");
      $("saved-title").focus();
    } catch (error) {
      $("saved-status").textContent = error.message;
    }
  });
}

// --- the form --------------------------------------------------------------------------------

function setupImport() {
  const form = $("import-form");
  const errors = new FieldErrors(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errors.clear();
    const notes = $("paste-notes");
    notes.hidden = true;
    const text = $("paste-json").value.trim();
    if (!text) {
      errors.show("paste", "붙여 넣은 JSON이 없습니다.");
      return;
    }
    let data;
    try {
      data = pastedObject(text);
    } catch (error) {
      errors.show("paste", error.message);
      return;
    }
    const said = fillInputs(data);
    notes.textContent = ["입력 칸을 채웠습니다. 확인한 뒤 “초안 작성”을 누르세요.", ...said].join(" ");
    notes.hidden = false;
    $("f-project_name").focus();
  });
}

function start() {
  $("skip-link").addEventListener("click", (event) => {
    event.preventDefault();
    $("main").focus();
  });
  setupDialog();
  const form = $("draft-form");
  const errors = new FieldErrors(form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    draftFromForm(errors);
  });
  form.addEventListener("reset", () => errors.clear());
  setupImport();
  setupApproval();
  signIn().then((user) => {
    if (!user) return;
    loadAssistant();
    refreshList();
  });
}

start();
