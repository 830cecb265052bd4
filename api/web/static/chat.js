// The chat page: pick an assistant, ask, watch the answer stream in (quoted passage
// first, then the model's words as an unverified draft whose sentences move into the
// answer as verification passes them, then the verified answer), continue old conversations.

import { request, session, streamEvents } from "./api.js";
import { messageAnswer, renderAnswer } from "./answer.js";
import { announce, clear, el, formatDate, fromTemplate } from "./dom.js";
import { PendingAnswer, scrollToEnd, userMessage } from "./pending_answer.js";

let assistantsCache = null;
// A question the server refused because the session had lapsed: put back in the field
// when the same user signs in again and returns to the same assistant.
let unsent = null;

export async function loadAssistants() {
  if (!assistantsCache) assistantsCache = await request("/api/assistants");
  return assistantsCache;
}

export function forgetAssistants() {
  assistantsCache = null;
}

/** The empty conversation: what to do, and the assistant's sample questions, which fill
 * the question box when chosen (the reader still sends it). */
function welcome(assistant, question) {
  const samples = (assistant.sample_questions || []).map((text) => el("li", {},
    el("button", { type: "button", class: "secondary small sample-question",
      onclick: () => { question.value = text; question.focus(); } }, text)));
  return el("div", { class: "welcome" },
    el("p", {}, `${assistant.title}에게 업무 질문을 하세요. 답변의 [번호]를 누르면 근거 문서를 볼 수 있습니다.`),
    samples.length ? el("p", { class: "hint" }, "이런 질문을 해 보세요:") : null,
    samples.length ? el("ul", { class: "sample-questions" }, samples) : null);
}

function assistantPicker(list, assistants, current) {
  clear(list);
  for (const a of assistants) {
    const item = a.readable
      ? el("a", { href: `#/chat/${encodeURIComponent(a.name)}`, class: "assistant-link",
        "aria-current": a.name === current ? "page" : null }, a.title)
      : el("button", { type: "button", class: "assistant-link", disabled: true },
        a.title, el("span", { class: "no-access" }, " (권한 없음)"));
    list.append(el("li", {}, item));
  }
}

function renderConversation(log, conversation, collection) {
  clear(log);
  for (const m of conversation.messages) {
    if (m.role === "user") {
      log.append(userMessage(m.text));
    } else {
      log.append(el("article", { class: "msg msg-assistant", "aria-label": "답변" },
        el("div", { class: "msg-body" },
          renderAnswer(messageAnswer(m), { collection, messageId: m.id, feedback: m.feedback }))));
    }
  }
  scrollToEnd(log);
}

async function fillConversations(list, assistant, currentId) {
  let items = [];
  try {
    items = await request(`/api/conversations?assistant=${encodeURIComponent(assistant)}`);
  } catch (error) {
    clear(list).append(el("li", { class: "error" }, error.message));
    return;
  }
  clear(list);
  if (!items.length) list.append(el("li", { class: "empty" }, "아직 대화가 없습니다."));
  for (const c of items) {
    list.append(el("li", {}, el("a", {
      href: `#/chat/${encodeURIComponent(assistant)}/${c.id}`, class: "conversation-link",
      "aria-current": c.id === currentId ? "page" : null,
    }, el("span", { class: "conversation-title" }, c.title || "제목 없음"),
    el("span", { class: "conversation-date" }, formatDate(c.created_at)))));
  }
}

function submitOnEnter(textarea, form) {
  textarea.addEventListener("keydown", (event) => {
    // Enter sends, Shift+Enter breaks the line; never while a Korean syllable is composing.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
}

/** An assistant with its own page (its tools, /api/assistants' `page`) links to it beside its title. */
function toolsLink(title, href) {
  const row = el("div", { class: "side-row chat-head" });
  title.replaceWith(row);
  row.append(title, el("a", { href, class: "tools-link" }, "업무 도구"));
}

/** Render #/chat/<assistant>[/<conversation id>][?q=<question>] (q: a question to fill in,
 *  as an assistant's own page links to it); returns a clean-up function. */
export async function showChat(main, [name, conversationParam] = [], query = new URLSearchParams()) {
  const assistants = await loadAssistants();
  const readable = assistants.filter((a) => a.readable);
  const assistant = assistants.find((a) => a.name === name) || readable[0];
  if (!main.isConnected) return () => {};  // the user moved on while the list loaded
  if (!name && assistant) {
    location.replace(`#/chat/${encodeURIComponent(assistant.name)}`);
    return () => {};
  }
  const page = fromTemplate("tpl-chat");
  clear(main).append(page);
  const log = page.querySelector("#messages");
  const form = page.querySelector("#ask-form");
  const question = page.querySelector("#question");
  const button = page.querySelector("#ask-button");
  const conversations = page.querySelector("#conversation-list");
  assistantPicker(page.querySelector("#assistant-list"), assistants, assistant && assistant.name);
  if (!assistant || !assistant.readable) {
    page.querySelector("#chat-title").textContent = assistant ? assistant.title : "도우미 없음";
    log.append(el("p", { class: "error", role: "alert" },
      assistant ? "이 도우미의 문서를 볼 권한이 없습니다. 관리자에게 문의하세요." : "쓸 수 있는 도우미가 없습니다."));
    form.hidden = true;
    return () => {};
  }
  page.querySelector("#chat-title").textContent = assistant.title;
  if (assistant.page) toolsLink(page.querySelector("#chat-title"), assistant.page);
  document.title = `${assistant.title} - 서울시 AI 업무 도우미`;
  let conversationId = conversationParam ? Number(conversationParam) : null;
  const controller = new AbortController();
  fillConversations(conversations, assistant.name, conversationId);
  if (conversationId) {
    try {
      renderConversation(log, await request(`/api/conversations/${conversationId}`), assistant.collection);
    } catch (error) {
      log.append(el("p", { class: "error", role: "alert" }, error.message));
      conversationId = null;
    }
  } else {
    log.append(welcome(assistant, question));
  }
  page.querySelector("#new-conversation").addEventListener("click", () => {
    location.hash = `#/chat/${encodeURIComponent(assistant.name)}`;
  });
  submitOnEnter(question, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text || button.disabled) return;
    const asker = session.user && session.user.username;  // cleared at once if the session has lapsed
    log.querySelector(".welcome")?.remove();
    log.append(userMessage(text));
    question.value = "";
    button.disabled = true;
    const pending = new PendingAnswer(log, assistant.collection);
    scrollToEnd(log);
    try {
      await streamEvents(`/api/chat/${encodeURIComponent(assistant.name)}/stream`,
        { question: text, conversation_id: conversationId }, (n, d) => pending.handle(n, d), { signal: controller.signal });
      if (!pending.result && !pending.failed) pending.fail("답변이 중간에 끊겼습니다. 다시 질문해 주세요.");
      if (pending.result) {
        conversationId = pending.result.conversation_id;
        // The address names the conversation without re-rendering the page.
        history.replaceState(null, "", `#/chat/${encodeURIComponent(assistant.name)}/${conversationId}`);
        fillConversations(conversations, assistant.name, conversationId);
        announce("답변이 완료되었습니다");
      }
    } catch (error) {
      if (error.status === 401) unsent = { user: asker, assistant: assistant.name, text };
      if (error.name !== "AbortError") pending.fail(error.message);
    } finally {
      pending.done();
      button.disabled = false;
    }
  });
  if (unsent && unsent.assistant === assistant.name && session.user && unsent.user === session.user.username) {
    question.value = unsent.text;
    unsent = null;
  }
  if (!conversationId && !question.value && query.get("q")) question.value = query.get("q");
  question.focus();
  return () => controller.abort();
}

