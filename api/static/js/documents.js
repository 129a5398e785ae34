// Collections (list, create) and the documents of one (list, upload with the ingest job's
// progress and the files skipped with their reasons, delete).

import { $, clear, el, showError } from "./dom.js";
import { describe, request } from "./http.js";

const CHOSEN = "rag.collection";
const POLL_MS = 250;

export function collection() {
  return $("collection").value;
}

function remembered() {
  try {
    return sessionStorage.getItem(CHOSEN) || "";
  } catch {
    return "";
  }
}

function remember(name) {
  try {
    sessionStorage.setItem(CHOSEN, name);
  } catch {
    // not kept: the picker starts at the default next time
  }
}

// Fill the picker; keep `wanted` (or the tab's last choice) selected when it exists.
let known = [];
// The demo corpus answers until the user has documents of their own (rag/demo.py); files
// uploaded while it is chosen start the user's own collection instead of mixing into it.
const DEMO = "demo";
const USERS = "default";

export async function loadCollections(wanted) {
  const names = await request("GET", "/v1/collections");
  known = names;
  let chosen = wanted || remembered();
  if (!names.includes(chosen)) chosen = names.includes("default") ? "default" : names[0] || "default";
  const shown = names.includes(chosen) ? names : [chosen, ...names]; // none yet: uploads create it
  const select = clear($("collection"));
  for (const name of shown) select.append(el("option", { value: name }, name));
  select.value = chosen;
  remember(chosen);
  $("documents-collection").textContent = chosen;
  return names;
}

export async function createCollection(name) {
  const created = await request("POST", "/v1/collections", { json: { name } });
  await loadCollections(created.name);
  return created;
}

export function chooseCollection() {
  remember(collection());
  $("documents-collection").textContent = collection();
}

export async function loadDocuments() {
  let documents = [];
  try {
    documents = await request("GET", "/v1/documents", { query: { collection: collection() } });
  } catch (error) {
    if (error.code !== "unknown_collection") throw error; // a name chosen but not created yet
  }
  const body = clear($("documents").tBodies[0]);
  for (const doc of documents) {
    const remove = el("button", { type: "button", class: "danger", "aria-label": `Delete ${doc.title || doc.source}` }, "Delete");
    remove.addEventListener("click", () => deleteDocument(doc).catch((error) => showError(describe(error))));
    body.append(el("tr", { dataset: { id: doc.id } },
      el("td", { class: "doc-title" }, doc.title || "(untitled)"),
      el("td", { class: "doc-source" }, doc.source),
      el("td", {}, doc.date || ""),
      el("td", { class: "num" }, String(doc.chunks)),
      el("td", {}, remove)));
  }
  $("documents").hidden = !documents.length;
  $("documents-empty").hidden = documents.length > 0;
  return documents;
}

async function deleteDocument(doc) {
  if (!window.confirm(`Delete “${doc.title || doc.source}” and its chunks from ${collection()}?`)) return;
  await request("DELETE", `/v1/documents/${encodeURIComponent(doc.id)}`, { query: { collection: collection() } });
  await loadDocuments();
}

function sizeText(bytes) {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function summary(result) {
  const counts = ["added", "updated", "unchanged", "removed"]
    .filter((kind) => result[kind].length)
    .map((kind) => `${result[kind].length} ${kind}`);
  counts.push(`${result.chunks} chunks`);
  if (result.skipped.length) counts.push(`${result.skipped.length} skipped`);
  return counts.join(", ");
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Upload `files` (a FileList or array) into the chosen collection and follow the ingest job.
export async function upload(files) {
  files = Array.from(files);
  if (!files.length) return null;
  const name = collection() === DEMO && !known.includes(USERS) ? USERS : collection();
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  const status = el("span", { class: "job-status" }, `Uploading ${files.length} file(s), ${sizeText(bytes)}…`);
  const item = el("li", { class: "job" }, el("span", { class: "job-files" }, files.map((f) => f.name).join(", ")), ": ", status);
  $("jobs").prepend(item);
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  let job;
  try {
    job = await request("POST", "/v1/documents", { query: { collection: name }, form });
    const started = performance.now();
    while (job.status === "queued" || job.status === "running") {
      status.textContent = `${job.status === "queued" ? "Queued" : "Ingesting"} (${((performance.now() - started) / 1000).toFixed(0)} s)…`;
      await sleep(POLL_MS);
      try {
        job = await request("GET", `/v1/jobs/${encodeURIComponent(job.id)}`);
      } catch (error) {
        if (error.status !== 429) throw error;
        await sleep(1000 * Number(error.retryAfter || 1)); // over the rate limit: the job goes on; ask again later
      }
    }
  } catch (error) {
    item.classList.add("failed");
    status.textContent = `Failed: ${describe(error)}`;
    return null;
  }
  item.dataset.status = job.status;
  if (job.status === "failed") {
    item.classList.add("failed");
    status.textContent = `Failed: ${job.error ? job.error.message : "see the server log"}`;
    return job;
  }
  status.textContent = `Done: ${summary(job.result)}`;
  if (job.result.skipped.length) {
    item.append(el("ul", { class: "skipped", "aria-label": "Skipped files" },
      job.result.skipped.map((s) => el("li", {}, el("span", { class: "doc-source" }, s.source), `: ${s.reason}`))));
  }
  await loadCollections(name);
  await loadDocuments();
  return job;
}

export function setUpDropZone(zone, onFiles) {
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    onFiles(event.dataTransfer.files);
  });
}
