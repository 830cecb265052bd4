// The documents page: collections and their documents for everyone who signs in;
// upload (with progress and per-file job status), delete and reindex for admins.

import { request, session, upload } from "./api.js";
import { clear, el, formatNumber, fromTemplate, tableHead } from "./dom.js";

const JOB_LABELS = { queued: "대기 중", running: "처리 중", done: "완료", failed: "실패", deleted: "삭제됨" };
const POLL_MS = 700;

function isAdmin() {
  return session.user && session.user.role === "admin";
}

function listOf(body, key) {
  // Lists may come bare or wrapped ({documents: [...]}, {jobs: [...]}).
  if (Array.isArray(body)) return body;
  if (body && Array.isArray(body[key])) return body[key];
  return [];
}

/** A share of 0..1 (embedded chunks, job progress) as a percentage. */
function percent(share) {
  return typeof share === "number" ? `${Math.round(share * 100)}%` : "—";
}

const DOC_STATUS = { indexed: "색인됨", indexing: "색인 중", queued: "대기 중", running: "처리 중", failed: "실패" };
const ORIGINS = { upload: "업로드", corpus: "코퍼스" };

function readersText(readers) {
  // "*" is every signed-in user (api.services.accounts.EVERYONE).
  return (readers || []).map((r) => (r === "*" ? "모든 사용자" : r)).join(", ") || "—";
}

function collectionsTable(collections, current) {
  const admin = isAdmin();
  const rows = collections.map((c) => el("tr", { "aria-current": c.name === current ? "true" : null },
    el("th", { scope: "row" }, el("a", { href: `#/documents/${encodeURIComponent(c.name)}` }, c.title || c.name),
      el("span", { class: "collection-name" }, c.name)),
    el("td", { class: "num" }, formatNumber(c.documents)),
    el("td", { class: "num" }, formatNumber(c.chunks)),
    el("td", { class: "num" }, percent(c.embedded)),
    admin ? el("td", {}, readersText(c.readers)) : null,
    el("td", {}, c.accepts_uploads ? "가능" : "불가")));
  const heads = ["컬렉션", "문서", "조각", "임베딩", admin ? "읽기 권한" : null, "업로드"].filter(Boolean);
  return el("div", { class: "table-wrap" }, el("table", { class: "data-table" },
    el("caption", { class: "visually-hidden" }, "컬렉션 목록"),
    tableHead(heads, ["문서", "조각", "임베딩"]),
    el("tbody", {}, rows)));
}

function deleteMessage(text) {
  const line = document.getElementById("documents-message");
  if (line) line.textContent = text;
}

function deleteButton(doc, collection, reload) {
  return el("button", {
    type: "button", class: "danger small", "aria-label": `${doc.source} 삭제`,
    onclick: async (event) => {
      const button = event.currentTarget;
      if (!window.confirm(`${doc.source} 문서를 지울까요? 파일과 색인에서 모두 빠집니다.`)) return;
      button.disabled = true;
      try {
        await request(`/api/collections/${encodeURIComponent(collection)}/documents?source=${encodeURIComponent(doc.source)}`,
          { method: "DELETE" });
        // The row disappears on reload: say so where it stays visible (a role=status line).
        deleteMessage(`삭제했습니다: ${doc.source}`);
        reload();
      } catch (error) {
        button.disabled = false;
        deleteMessage(`삭제하지 못했습니다: ${doc.source} — ${error.message}`);
      }
    },
  }, "삭제");
}

function statusCell(doc) {
  const cell = el("td", { class: `doc-status doc-${doc.status}` }, DOC_STATUS[doc.status] || doc.status || "—");
  if (doc.error) cell.append(el("span", { class: "doc-error" }, doc.error));
  for (const warning of doc.warnings || []) cell.append(el("span", { class: "doc-warning" }, warning));
  return cell;
}

/** The access groups an admin may give a document (GET /api/access-groups); [] for others. */
async function accessGroups() {
  if (!isAdmin()) return [];
  try {
    return listOf(await request("/api/access-groups"), "groups");
  } catch (error) {
    return [];
  }
}

function fillGroups(select, groups, current) {
  const values = groups.map((g) => g.value);
  const options = values.includes(current) || !current ? groups : [...groups, { value: current, label: current }];
  clear(select).append(...options.map((g) => el("option", { value: g.value, selected: g.value === current ? "" : null }, g.label)));
  select.value = current || "public";
}

/** Who may read an uploaded document, changed in place (PATCH …/documents/access). */
function accessPicker(doc, collection, groups, reload) {
  const select = el("select", { class: "access-select", "aria-label": `${doc.source} 접근 그룹` });
  fillGroups(select, groups, doc.access);
  select.addEventListener("change", async () => {
    select.disabled = true;
    try {
      await request(`/api/collections/${encodeURIComponent(collection)}/documents/access?source=${encodeURIComponent(doc.source)}`,
        { method: "PATCH", json: { access: select.value } });
      deleteMessage(`접근 그룹을 바꿨습니다: ${doc.source} → ${select.value}`);
      reload();
    } catch (error) {
      select.value = doc.access;
      select.disabled = false;
      deleteMessage(`접근 그룹을 바꾸지 못했습니다: ${doc.source} — ${error.message}`);
    }
  });
  return select;
}

function documentRow(doc, collection, reload, groups = []) {
  // Long names are cut with an ellipsis (the full name on hover and for screen readers)
  // instead of stretching the table.
  const source = doc.file_url
    ? el("a", { href: doc.file_url, target: "_blank", rel: "noopener", class: "clip", title: doc.source }, doc.source)
    : el("span", { class: "clip", title: doc.source }, doc.source);
  return el("tr", {},
    el("th", { scope: "row", class: "doc-source" }, source),
    el("td", {}, doc.title ? el("span", { class: "clip", title: doc.title }, doc.title) : "—"),
    el("td", { class: "num" }, formatNumber(doc.chunks)),
    el("td", { class: "num" }, percent(doc.embedded)),
    el("td", {}, doc.access_editable && groups.length ? accessPicker(doc, collection, groups, reload) : doc.access || "—"),
    el("td", {}, ORIGINS[doc.origin] || doc.origin || "—"),
    statusCell(doc),
    isAdmin() ? el("td", {}, doc.deletable ? deleteButton(doc, collection, reload) : "—") : null);
}

function documentsTable(documents, collection, reload, groups = []) {
  if (!documents.length) return el("p", { class: "empty" }, "이 컬렉션에는 아직 문서가 없습니다.");
  const heads = ["파일", "제목", "조각", "임베딩", "접근 그룹", "구분", "상태"];
  if (isAdmin()) heads.push("관리");
  return el("div", { class: "table-wrap" }, el("table", { class: "data-table documents-table" },
    el("caption", { class: "visually-hidden" }, `${collection} 문서 목록`),
    tableHead(heads, ["조각", "임베딩"]),
    el("tbody", {}, documents.map((d) => documentRow(d, collection, reload, groups)))));
}

function jobText(job) {
  const label = JOB_LABELS[job.status] || job.status;
  if (job.status === "running" && typeof job.progress === "number") {
    // The pipeline's own stage ("검색 색인 중: 청크 1,024/3,000") when it gives one.
    return `${label} ${percent(job.progress)}${job.message ? ` · ${job.message}` : ""}`;
  }
  if (job.status === "done") {
    const dense = typeof job.embedded === "number" && job.embedded < 1
      ? ` · 검색 가능, 의미 검색 벡터 ${percent(job.embedded)}` : "";
    return `${label} · 조각 ${formatNumber(job.chunks || 0)}개${dense}`;
  }
  if (job.status === "failed" || job.status === "deleted") return `${label}: ${job.message || "알 수 없는 오류"}`;
  return label;
}

// Searchable (or given up): the upload's own work is over.
const finished = (job) => ["done", "failed", "deleted"].includes(job.status);
// …and its dense vectors are in too, so nothing is left to show.
const settled = (job) => finished(job) && !(job.status === "done" && typeof job.embedded === "number" && job.embedded < 1);

/** One line per uploaded file, polled until every job is done or failed. */
function trackJobs(jobs, list, onFinished, stopped) {
  const entries = jobs.map((job) => {
    const status = el("span", { class: "job-status" }, jobText(job));
    const item = el("li", { class: `job job-${job.status}`, "data-job": job.id },
      el("span", { class: "job-file" }, job.filename), " — ", status);
    list.append(item);
    return { item, status, job };
  });
  let reported = false;
  const poll = async () => {
    if (stopped()) return;
    for (const entry of entries.filter((e) => !settled(e.job))) {
      try {
        entry.job = await request(`/api/jobs/${entry.job.id}`);
      } catch (error) {
        entry.job = { ...entry.job, status: "failed", message: error.message };
      }
      entry.item.className = `job job-${entry.job.status}`;
      entry.status.textContent = jobText(entry.job);
    }
    next();
  };
  const next = () => {
    if (!reported && entries.every((e) => finished(e.job))) {
      reported = true;
      onFinished(entries.map((e) => e.job));
    }
    // Dense vectors fill in behind: keep showing their share until they are in.
    if (entries.some((e) => !settled(e.job))) setTimeout(poll, POLL_MS);
  };
  next();  // files refused on arrival are finished already
}

function setupUpload(page, collection, reload, stopped, groups) {
  const form = page.querySelector("#upload-form");
  const access = page.querySelector("#upload-access");
  if (groups.length) fillGroups(access, groups, "public");
  const input = page.querySelector("#upload-files");
  const progress = page.querySelector("#upload-progress");
  const progressText = page.querySelector("#upload-progress-text");
  const jobs = page.querySelector("#job-list");
  const message = page.querySelector("#upload-message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.files.length) {
      message.textContent = "올릴 파일을 고르세요.";
      input.focus();
      return;
    }
    const data = new FormData();
    for (const file of input.files) data.append("files", file);
    data.append("access", access.value || "public");
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    message.textContent = "파일을 보내는 중…";
    const show = (share) => {
      progress.value = Math.round(share * 100);
      progressText.textContent = `${Math.round(share * 100)}%`;
    };
    try {
      const reply = await upload(`/api/collections/${encodeURIComponent(collection)}/documents`, data, show);
      const created = listOf(reply, "jobs");
      message.textContent = `${created.length}개 파일을 받았습니다. 색인하는 중…`;
      input.value = "";
      trackJobs(created, jobs, (finished) => {
        const failed = finished.filter((j) => j.status === "failed").length;
        if (!failed) message.textContent = "모든 파일의 색인이 끝났습니다.";
        else if (failed === finished.length) message.textContent = "파일을 색인하지 못했습니다. 아래 오류를 확인하세요.";
        else message.textContent = `색인이 끝났습니다. ${failed}개 파일은 실패했습니다 (아래 오류 참고).`;
        reload();
      }, stopped);
    } catch (error) {
      message.textContent = `업로드하지 못했습니다: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  });
}

/** Re-index in the background, then follow the collection's reindex status. */
function setupReindex(page, collection, reload, stopped) {
  const button = page.querySelector("#reindex-button");
  const message = page.querySelector("#upload-message");
  const follow = async () => {
    if (stopped()) return;
    try {
      const found = listOf(await request("/api/collections"), "collections").find((c) => c.name === collection);
      const status = found && found.reindex;
      if (status) message.textContent = status.message || status.status;
      if (status && (status.status === "queued" || status.status === "running")) {
        setTimeout(follow, POLL_MS);
        return;
      }
    } catch (error) {
      message.textContent = error.message;
    }
    button.disabled = false;
    reload();
  };
  button.addEventListener("click", async () => {
    if (!window.confirm(`${collection} 컬렉션을 다시 색인할까요? 시간이 걸릴 수 있습니다.`)) return;
    button.disabled = true;
    try {
      const reply = await request(`/api/collections/${encodeURIComponent(collection)}/reindex`, { method: "POST" });
      message.textContent = (reply && reply.message) || "다시 색인을 시작했습니다.";
      setTimeout(follow, POLL_MS);
    } catch (error) {
      message.textContent = `다시 색인하지 못했습니다: ${error.message}`;
      button.disabled = false;
    }
  });
}

/** Render #/documents[/<collection>]; returns a clean-up function (stops polling). */
export async function showDocuments(main, [name] = []) {
  let left = false;
  const stopped = () => left;
  const page = fromTemplate("tpl-documents");
  clear(main).append(page);
  document.title = "문서 관리 - 서울시 AI 업무 도우미";
  page.querySelector("#documents-readonly").hidden = isAdmin();
  const collectionsBox = page.querySelector("#collections-box");
  const collections = listOf(await request("/api/collections"), "collections");
  const current = collections.find((c) => c.name === name) || collections[0];
  collectionsBox.append(collectionsTable(collections, current && current.name));
  const section = page.querySelector("#collection-section");
  if (!current) {
    section.hidden = true;
    return () => { left = true; };
  }
  page.querySelector("#collection-heading").textContent = `${current.title || current.name} 문서`;
  const box = page.querySelector("#documents-box");
  const groups = await accessGroups();
  // After an upload, a deletion or a re-index both the counts and the list change.
  const reload = async () => {
    try {
      const [all, docs] = await Promise.all([request("/api/collections"),
        request(`/api/collections/${encodeURIComponent(current.name)}/documents`)]);
      clear(collectionsBox).append(collectionsTable(listOf(all, "collections"), current.name));
      clear(box).append(documentsTable(listOf(docs, "documents"), current.name, reload, groups));
    } catch (error) {
      clear(box).append(el("p", { class: "error", role: "alert" }, error.message));
    }
  };
  const admin = page.querySelector("#documents-admin");
  admin.hidden = !isAdmin();
  if (isAdmin()) {
    page.querySelector("#upload-form").hidden = !current.accepts_uploads;
    page.querySelector("#upload-closed").hidden = Boolean(current.accepts_uploads);
    setupUpload(page, current.name, reload, stopped, groups);
    setupReindex(page, current.name, reload, stopped);
  }
  const docs = listOf(await request(`/api/collections/${encodeURIComponent(current.name)}/documents`), "documents");
  box.append(documentsTable(docs, current.name, reload, groups));
  return () => { left = true; };
}
