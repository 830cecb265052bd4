// Saved 검진 결과 분류 on the page (metabolic.store_history): GET …/history says whether the
// server keeps them (`store_history`). Only then does the form show "이 결과 저장" with a
// label, and the "저장한 기록" list (date, label) open or delete one (after a confirm);
// with saving off none of it shows and the page says nothing is stored.

import { request, session } from "/static/api.js";
import { announce, clear, el } from "/static/dom.js";

const API = "/api/assistants/metabolic/history";
const $ = (id) => document.getElementById(id);

/** Whether the server keeps assessments (false until it has said so). */
export const saving = { on: false };

/** "2026-03-05 14:07" in the browser's time zone (the server sends UTC with its offset). */
export function when(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso || "");
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** The entry's label; an admin sees another counsellor's by its owner (the label opens with it). */
function entryName(entry) {
  if (entry.label) return entry.label;
  if (entry.owner && session.user && entry.owner !== session.user.username) return `${entry.owner}님의 기록`;
  return "이름 없음";
}

function item(entry, actions) {
  const name = entryName(entry);
  const date = when(entry.created_at);
  return el("li", { class: "history-item", "data-id": String(entry.id) },
    el("span", { class: "history-entry" },
      el("time", { class: "history-when", datetime: entry.created_at }, date),
      el("span", { class: "history-label" }, name)),
    el("span", { class: "history-actions" },
      el("button", { type: "button", class: "secondary small history-open", "aria-label": `열기: ${name} (${date})`,
        onclick: () => actions.open(entry, name, date) }, "열기"),
      el("button", { type: "button", class: "secondary small history-delete", "aria-label": `삭제: ${name} (${date})`,
        onclick: () => actions.remove(entry, name, date) }, "삭제")));
}

function showError(message) {
  $("history-error").textContent = message || "";
}

/** The "이 결과 저장" choice: what /assess gets with the record ({} when not saving). */
export function saveFields() {
  if (!saving.on || !$("f-save").checked) return {};
  return { save: true, label: $("f-save-label").value.trim() };
}

/** The choice as it stands, to put back after the form is refilled (fillForm resets it). */
export function keepSaveChoice(work) {
  const kept = { checked: $("f-save").checked, label: $("f-save-label").value };
  work();
  $("f-save").checked = kept.checked;
  $("f-save-label").value = kept.label;
  $("f-save-label").disabled = !kept.checked;
}

/** Saving on or off as the server says: the controls, the list and the page's privacy line
 *  (with how long a saved result is kept: metabolic.history_days, 0 = until deleted). */
function showSaving(on, retentionDays = 0) {
  saving.on = on;
  $("save-controls").hidden = !on;
  $("history").hidden = !on;
  $("record-form").dataset.saving = on ? "on" : "off";
  const kept = retentionDays > 0 ? ` 저장한 기록은 ${retentionDays}일이 지나면 자동으로 파기합니다.` : "";
  $("privacy-note").textContent = on
    ? `참여자의 기록은 “이 결과 저장”을 고른 경우에만 암호화해 저장합니다.${kept}`
    : "참여자의 기록은 저장하지 않습니다.";
  if (!on) $("f-save").checked = false;
}

/** Asks the server whether it keeps assessments and lists the user's; `actions.open(entry)`
 *  shows a saved one (its {record, survey, result, label, created_at}). */
export async function loadHistory(actions) {
  let reply = null;
  try {
    reply = await request(API);
  } catch (error) {
    if (error.status === 401) actions.signIn();
  }
  showSaving(Boolean(reply && reply.store_history), Number(reply && reply.retention_days) || 0);
  if (!saving.on) return;
  const handlers = {
    open: (entry, name, date) => openSaved(entry, name, date, actions),
    remove: (entry, name, date) => removeSaved(entry, name, date, actions),
  };
  const list = clear($("history-list"));
  if (!reply.assessments.length) list.append(el("li", { class: "history-empty" }, "저장한 기록이 없습니다."));
  else list.append(...reply.assessments.map((entry) => item(entry, handlers)));
}

async function openSaved(entry, name, date, actions) {
  showError("");
  try {
    const saved = await request(`${API}/${encodeURIComponent(entry.id)}`);
    actions.show(saved, `저장한 기록: ${saved.label || name} (${date})`);
  } catch (error) {
    if (error.status === 401) actions.signIn();
    showError(`기록을 열지 못했습니다: ${error.message}`);
  }
}

async function removeSaved(entry, name, date, actions) {
  showError("");
  if (!window.confirm(`저장한 기록 “${name}” (${date})을(를) 지울까요? 지우면 되돌릴 수 없습니다.`)) return;
  try {
    await request(`${API}/${encodeURIComponent(entry.id)}`, { method: "DELETE" });
  } catch (error) {
    if (error.status === 401) actions.signIn();
    showError(`기록을 지우지 못했습니다: ${error.message}`);
    return;
  }
  await loadHistory(actions);
  $("history-title").focus();
  announce(`저장한 기록 “${name}”을(를) 지웠습니다`);
}

/** After /assess answered {"saved": [...]}: say so, clear the choice (the next participant
 *  is not saved by accident) and list the new entry. */
export async function afterSave(saved, actions) {
  const numbers = (saved || []).filter((n) => n !== null && n !== undefined);
  if (!numbers.length) return;
  $("f-save").checked = false;
  $("f-save-label").value = "";
  $("f-save-label").disabled = true;
  $("save-status").textContent = "결과를 저장했습니다. “저장한 기록”에서 다시 열 수 있습니다.";
  await loadHistory(actions);
}

export function setupSaving() {
  const box = $("f-save");
  box.addEventListener("change", () => {
    $("f-save-label").disabled = !box.checked;
    $("save-status").textContent = "";
  });
  // A reset (비우기, or a record filled in) clears the choice: the label goes with it.
  $("record-form").addEventListener("reset", () => { $("f-save-label").disabled = true; });
}
