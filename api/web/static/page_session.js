// Signing in on an assistant's own page (/assistants/<name>): the pages share the main UI's
// session cookie, so they ask who is signed in and either show the user in the page's
// #user-box or point to the sign-in notice (#signin-needed, whose link returns to the page).

import { request, session } from "/static/api.js";

const $ = (id) => document.getElementById(id);

/** Show and focus the page's "로그인이 필요합니다" notice. */
export function needSignIn() {
  const notice = $("signin-needed");
  notice.hidden = false;
  notice.setAttribute("tabindex", "-1");
  notice.focus();
}

/** The signed-in user (session filled, #user-name shown), or null after showing the
 *  sign-in notice. Another failure is the caller's to show (`onError`). */
export async function signIn(onError = () => {}) {
  try {
    const me = await request("/api/auth/me");
    session.user = me.user;
    session.csrf = me.csrf_token;
    $("user-name").textContent = me.user.display_name || me.user.username;
    $("user-box").hidden = false;
    return me.user;
  } catch (error) {
    if (error.status === 401) needSignIn();
    else onError(error);
    return null;
  }
}
