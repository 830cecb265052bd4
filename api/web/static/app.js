// Start-up and hash routes: #/login[?next=/assistants/<name>], #/chat/<assistant>[/<conversation>][?q=<question>],
// #/documents[/<collection>], #/eval, #/eval/<run id>[?filters of its failing cases].

import { request, session } from "./api.js";
import { forgetAssistants, showChat } from "./chat.js";
import { setupDialog } from "./dialog.js";
import { showDocuments } from "./documents.js";
import { clear, el, setupDisclosures } from "./dom.js";
import { showRun, showRuns } from "./evaluation.js";
import { showLogin } from "./login.js";

const main = document.getElementById("main");
const EVAL_ROLES = new Set(["admin", "evaluator"]);
const ROLE_LABELS = { admin: "관리자", staff: "직원", evaluator: "평가자" };

let leavePage = () => {};
let ticket = 0;
let afterLogin = "#/chat";
let loginNotice = "";

function parseHash() {
  const [path, search = ""] = location.hash.replace(/^#\/?/, "").split("?", 2);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  return { page: parts[0] || "chat", args: parts.slice(1), query: new URLSearchParams(search) };
}

/** Where `#/login?next=…` sends the user once signed in: an assistant's own page
 *  (/assistants/<name>, which links here when signed out); never another site. */
function returnPage(query) {
  const next = query.get("next") || "";
  return /^\/assistants\/[\w-]+$/.test(next) ? next : "";
}

function updateHeader(page) {
  const user = session.user;
  document.getElementById("site-nav").hidden = !user;
  document.getElementById("user-box").hidden = !user;
  if (!user) return;
  document.getElementById("user-name").textContent =
    `${user.display_name || user.username} (${ROLE_LABELS[user.role] || user.role})`;
  document.getElementById("nav-eval").hidden = !EVAL_ROLES.has(user.role);
  for (const link of document.querySelectorAll("#site-nav a[data-page]")) {
    if (link.dataset.page === page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

function message(view, title, text) {
  document.title = `${title} - 서울시 AI 업무 도우미`;
  clear(view).append(el("h1", { class: "page-title", tabindex: "-1" }, title), el("p", { role: "alert" }, text));
  return () => {};
}

function pageFor(page, args, query, view) {
  switch (page) {
    case "chat":
      return showChat(view, args, query);
    case "documents":
      return showDocuments(view, args);
    case "eval":
      if (!EVAL_ROLES.has(session.user.role)) return message(view, "평가", "평가 화면은 관리자와 평가자만 볼 수 있습니다.");
      return args.length ? showRun(view, args, query) : showRuns(view);
    default:
      return message(view, "찾을 수 없음", "없는 화면입니다. 위의 메뉴에서 고르세요.");
  }
}

/** A fresh container for the page about to render: a page still loading when the user
 *  moves on keeps writing into its own container, which is no longer on screen. */
function newView() {
  const view = el("div", { class: "view" }, el("p", { class: "loading", role: "status" }, "불러오는 중…"));
  clear(main).append(view);
  return view;
}

function focusHeading() {
  // A new page is announced by moving focus to its title, unless the page chose a field.
  if (main.contains(document.activeElement) && document.activeElement !== main) return;
  const heading = main.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

async function route() {
  const mine = ++ticket;
  leavePage();
  leavePage = () => {};
  const { page, args, query } = parseHash();
  if (!session.user) {
    if (page !== "login") afterLogin = location.hash || "#/chat";
    else afterLogin = returnPage(query) || afterLogin;
    updateHeader("login");
    if (page !== "login") {
      location.replace("#/login");
      return;
    }
    leavePage = showLogin(newView(), loginNotice, signedIn);
    loginNotice = "";
    return;
  }
  if (page === "login") {
    location.replace(returnPage(query) || "#/chat");
    return;
  }
  updateHeader(page);
  const view = newView();
  try {
    const cleanup = await pageFor(page, args, query, view);
    if (mine === ticket) {
      leavePage = cleanup || (() => {});
      focusHeading();
    } else if (cleanup) {
      cleanup();
    }
  } catch (error) {
    if (mine === ticket) message(view, "오류", error.message);
  }
}

function signedIn() {
  const target = afterLogin && !afterLogin.startsWith("#/login") ? afterLogin : "#/chat";
  afterLogin = "#/chat";
  if (target.startsWith("/")) location.assign(target);  // an assistant's own page
  else if (location.hash === target) route();
  else location.hash = target;
}

async function logout() {
  try {
    await request("/api/auth/logout", { method: "POST" });
  } catch {
    // Signed out on this side either way; the cookie lapses with the session.
  }
  session.user = null;
  session.csrf = "";
  forgetAssistants();
  location.hash = "#/login";
}

function setupChrome() {
  setupDialog();
  setupDisclosures();
  document.getElementById("logout").addEventListener("click", logout);
  document.getElementById("skip-link").addEventListener("click", (event) => {
    // The skip link must not touch the hash: the hash is the route.
    event.preventDefault();
    main.focus();
  });
  window.addEventListener("hashchange", route);
  window.addEventListener("session-expired", () => {
    if (!session.user) return;
    session.user = null;
    session.csrf = "";
    forgetAssistants();
    loginNotice = "로그인이 만료되었습니다. 다시 로그인하세요.";
    afterLogin = location.hash;
    location.hash = "#/login";
  });
}

async function start() {
  setupChrome();
  try {
    const me = await request("/api/auth/me");
    session.user = me.user;
    session.csrf = me.csrf_token;
  } catch {
    session.user = null;
  }
  await route();
}

start();
