// Talking to the server: JSON requests with the CSRF header, the chat's event stream
// (fetch + ReadableStream, since EventSource cannot POST) and uploads with progress.

export const session = { user: null, csrf: "" };

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export class ApiError extends Error {
  constructor(status, message, code = "", field = "") {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;  // the request field a 400/422 names, so a form can mark it
  }
}

function headersFor(method, extra = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (UNSAFE.has(method) && session.csrf) headers["X-CSRF-Token"] = session.csrf;
  return headers;
}

const FALLBACK_MESSAGES = {
  401: "로그인이 필요합니다",
  403: "권한이 없습니다",
  404: "찾을 수 없습니다",
  413: "파일이 너무 큽니다",
  429: "요청이 너무 많습니다. 잠시 뒤에 다시 시도하세요",
};

/** The server's Korean message from its JSON error body, else one by status. */
function errorFrom(status, body) {
  const error = (body && body.error) || {};
  const field = error.field || (error.problems && error.problems.length && error.problems[0].field) || "";
  return new ApiError(status, error.message || FALLBACK_MESSAGES[status] || `서버 오류가 발생했습니다 (${status})`,
    error.code || "", field);
}

function expired(error, path) {
  // A lapsed session anywhere but the login itself sends the user back to sign in.
  if (error.status === 401 && !path.startsWith("/api/auth/login")) {
    window.dispatchEvent(new CustomEvent("session-expired"));
  }
  return error;
}

async function readJson(response) {
  const type = response.headers.get("content-type") || "";
  if (!type.includes("json")) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** A JSON request; resolves with the parsed body, rejects with an ApiError. */
export async function request(path, { method = "GET", json, signal } = {}) {
  const init = { method, headers: headersFor(method), credentials: "same-origin", signal };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (cause) {
    if (cause.name === "AbortError") throw cause;
    throw new ApiError(0, "서버에 연결할 수 없습니다. 네트워크를 확인하세요");
  }
  const body = await readJson(response);
  if (!response.ok) throw expired(errorFrom(response.status, body), path);
  return body;
}

function parseBlock(block) {
  let name = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (!data.length) return null;
  try {
    return [name, JSON.parse(data.join("\n"))];
  } catch {
    return null;
  }
}

/**
 * POST `body` and call onEvent(name, data) for each server-sent event as it arrives.
 * Resolves when the stream ends.
 */
export async function streamEvents(path, body, onEvent, { signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST", credentials: "same-origin", signal, body: JSON.stringify(body),
      headers: headersFor("POST", { "Content-Type": "application/json", Accept: "text/event-stream" }),
    });
  } catch (cause) {
    if (cause.name === "AbortError") throw cause;
    throw new ApiError(0, "서버에 연결할 수 없습니다. 네트워크를 확인하세요");
  }
  if (!response.ok) throw expired(errorFrom(response.status, await readJson(response)), path);
  const reader = response.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
    buffer = buffer.replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = parseBlock(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event) onEvent(event[0], event[1]);
    }
    if (done) break;
  }
  const rest = parseBlock(buffer.trim());
  if (rest) onEvent(rest[0], rest[1]);
}

/** Send a multipart form, reporting the share sent so far (0..1) to onProgress. */
export function upload(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    if (session.csrf) xhr.setRequestHeader("X-CSRF-Token", session.csrf);
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(body);
      } else {
        reject(expired(errorFrom(xhr.status, body), path));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, "업로드 중 연결이 끊겼습니다"));
    xhr.send(formData);
  });
}
