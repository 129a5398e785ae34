// Talking to the API on this page's own origin: the key (session storage only), errors in
// the API's one shape, and Server-Sent Events read from a POST.

const KEY = "rag.key";

export class ApiError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

let onUnauthorized = null;
let memoryKey = ""; // when session storage is refused (some private modes): kept as long as the page

// `handler(error)` is called on a 401; it asks for a key and resolves once one is set.
export function whenUnauthorized(handler) {
  onUnauthorized = handler;
}

export function getKey() {
  try {
    return sessionStorage.getItem(KEY) || "";
  } catch {
    return "";
  }
}

export function setKey(key) {
  try {
    if (key) sessionStorage.setItem(KEY, key);
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage refused: memoryKey holds it
  }
  memoryKey = key;
}

function headers(extra = {}) {
  const key = getKey() || memoryKey;
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

async function errorOf(response) {
  let code = "http_error";
  let message = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    code = body.error.code;
    message = body.error.message;
  } catch {
    // not the API's error shape (a proxy's page): keep the status
  }
  return new ApiError(response.status, code, message, response.headers.get("Retry-After"));
}

function url(path, query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(name, value);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function send(method, path, { query, json, form } = {}) {
  const init = { method, headers: headers(json === undefined ? {} : { "Content-Type": "application/json" }) };
  if (json !== undefined) init.body = JSON.stringify(json);
  if (form !== undefined) init.body = form;
  const response = await fetch(url(path, query), init);
  if (response.status === 401 && onUnauthorized) {
    await onUnauthorized(await errorOf(response));
    return send(method, path, { query, json, form });
  }
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function request(method, path, options) {
  const response = await send(method, path, options);
  return response.status === 204 ? null : response.json();
}

// POST `json` to `path` and call `onEvent(name, data)` for each Server-Sent Event as it
// arrives. EventSource cannot POST or send a key, so the stream is read with fetch and
// parsed here (event and data fields; the API sends one JSON data line per event).
export async function stream(path, json, onEvent) {
  const response = await send("POST", path, { json: { ...json, stream: true } });
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const content = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") name = content;
        else if (field === "data") data.push(content);
      }
      if (data.length) onEvent(name, JSON.parse(data.join("\n")));
    }
  }
}

export function describe(error) {
  if (error instanceof TypeError) return `The server could not be reached (${error.message}).`; // what fetch throws
  return error.message;
}
