// The source panel: a document's text with the cited span highlighted at exactly its
// start_char/end_char. The API counts offsets in Unicode code points (Python's str) and
// JavaScript strings in UTF-16 units, so offsets are converted before slicing: a document
// with emoji before the quote is highlighted where the quote is, not a few characters off.

import { $, clear, el } from "./dom.js";
import { request } from "./http.js";

// UTF-16 positions of the code-point offsets `points` (ascending) in `text`.
export function utf16Offsets(text, points) {
  const result = [];
  let unit = 0;
  let point = 0;
  for (const target of points) {
    while (point < target && unit < text.length) {
      const code = text.charCodeAt(unit);
      const pair = code >= 0xd800 && code <= 0xdbff && unit + 1 < text.length
        && (text.charCodeAt(unit + 1) & 0xfc00) === 0xdc00;
      unit += pair ? 2 : 1;
      point += 1;
    }
    result.push(unit);
  }
  return result;
}

let opener = null;

// Show document `id` of `collection` with [start, end) highlighted; `label` names the span
// ("Citation [2]"), `from` is the element to give focus back to on close.
export async function openSource({ collection, id, start, end, label, from }) {
  // Fetched each time, not cached: a document re-ingested meanwhile has new text and offsets.
  const doc = await request("GET", `/v1/documents/${encodeURIComponent(id)}`, { query: { collection } });
  const [a, b] = utf16Offsets(doc.text, [start, end]);
  const panel = $("source");
  $("source-title").textContent = doc.title || doc.source;
  $("source-meta").textContent = `${label}: ${doc.source}, characters ${start}-${end}`;
  const mark = el("mark", { id: "cited", tabindex: "-1" }, doc.text.slice(a, b));
  clear($("source-text")).append(doc.text.slice(0, a), mark, doc.text.slice(b));
  panel.hidden = false;
  document.body.classList.add("source-open");
  opener = from || null;
  mark.scrollIntoView({ block: "center" });
  mark.focus({ preventScroll: true });
}

export function closeSource() {
  const panel = $("source");
  if (panel.hidden) return;
  panel.hidden = true;
  document.body.classList.remove("source-open");
  if (opener && opener.isConnected) opener.focus();
  opener = null;
}

export function setUpSource() {
  $("source-close").addEventListener("click", closeSource);
  $("source").addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeSource();
  });
}
