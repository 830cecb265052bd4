// The sign-in form. The session cookie is HttpOnly; the CSRF token comes back in the
// body and is kept in memory for the unsafe requests.

import { request, session } from "./api.js";
import { clear, fromTemplate } from "./dom.js";

/** Render #/login; `onSignedIn` runs after a successful login. */
export function showLogin(main, notice, onSignedIn) {
  const page = fromTemplate("tpl-login");
  clear(main).append(page);
  document.title = "로그인 - 서울시 AI 업무 도우미";
  const form = page.querySelector("#login-form");
  const error = page.querySelector("#login-error");
  const button = form.querySelector("button[type=submit]");
  if (notice) {
    // Why the user is here again (a lapsed session); gone once they try to sign in.
    const shown = page.querySelector("#login-notice");
    shown.textContent = notice;
    shown.hidden = false;
    form.addEventListener("submit", () => { shown.hidden = true; }, { once: true });
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const username = form.elements.username.value.trim();
    const password = form.elements.password.value;
    if (!username || !password) {
      error.textContent = "아이디와 비밀번호를 모두 입력하세요.";
      (username ? form.elements.password : form.elements.username).focus();
      return;
    }
    button.disabled = true;
    error.textContent = "";
    try {
      const reply = await request("/api/auth/login", { method: "POST", json: { username, password } });
      session.user = reply.user;
      session.csrf = reply.csrf_token;
      onSignedIn();
    } catch (failure) {
      error.textContent = failure.message;
      form.elements.password.select();
      form.elements.password.focus();
    } finally {
      button.disabled = false;
    }
  });
  form.elements.username.focus();
  return () => {};
}
