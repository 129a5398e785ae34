// The page: views, the key prompt, the collection picker, the ask box and the uploads.

import { $, showError } from "./dom.js";
import { describe, getKey, setKey, whenUnauthorized } from "./http.js";
import { ask, reset, restore } from "./chat.js";
import { chooseCollection, collection, createCollection, loadCollections, loadDocuments, setUpDropZone, upload } from "./documents.js";
import { closeSource, setUpSource } from "./source.js";

let keyPrompt = null;

// A 401: ask for a key (once, however many requests were refused) and resolve when one is given.
function askForKey(error) {
  if (keyPrompt) return keyPrompt;
  keyPrompt = new Promise((resolve) => {
    const dialog = $("key-dialog");
    const problem = $("key-error");
    problem.textContent = getKey() ? error.message : "";
    problem.hidden = !getKey();
    const input = $("key-input");
    input.value = "";
    const submit = (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (!key) return;
      setKey(key);
      $("key-form").removeEventListener("submit", submit);
      dialog.close();
      keyPrompt = null;
      resolve();
    };
    $("key-form").addEventListener("submit", submit);
    dialog.showModal();
    input.focus();
  });
  return keyPrompt;
}

function show(view) {
  for (const name of ["ask", "documents"]) {
    const on = name === view;
    $(`${name}-view`).hidden = !on;
    if (on) $(`tab-${name}`).setAttribute("aria-current", "page");
    else $(`tab-${name}`).removeAttribute("aria-current");
  }
  if (view === "documents") loadDocuments().catch((error) => showError(describe(error)));
  else $("question").focus();
}

function toggleCollectionForm(open) {
  $("collection-form").hidden = !open;
  $("new-collection").setAttribute("aria-expanded", String(open));
  if (open) $("collection-name").focus();
  else $("new-collection").focus();
}

function setUp() {
  whenUnauthorized(askForKey);
  $("key-dialog").addEventListener("cancel", (event) => event.preventDefault()); // nothing works without a key
  setUpSource();
  restore();

  $("tab-ask").addEventListener("click", () => show("ask"));
  $("tab-documents").addEventListener("click", () => show("documents"));

  $("collection").addEventListener("change", () => {
    chooseCollection();
    if (!$("documents-view").hidden) loadDocuments().catch((error) => showError(describe(error)));
  });
  $("new-collection").addEventListener("click", () => toggleCollectionForm($("collection-form").hidden));
  $("collection-cancel").addEventListener("click", () => toggleCollectionForm(false));
  $("collection-form").addEventListener("keydown", (event) => {
    if (event.key === "Escape") toggleCollectionForm(false);
  });
  $("collection-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await createCollection($("collection-name").value.trim());
      $("collection-name").value = "";
      toggleCollectionForm(false);
      showError(null);
      if (!$("documents-view").hidden) await loadDocuments();
    } catch (error) {
      showError(describe(error));
    }
  });

  $("ask-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = $("question");
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    closeSource();
    await ask(question, collection());
    input.focus();
  });
  $("new-chat").addEventListener("click", () => {
    reset();
    closeSource();
    $("question").focus();
  });

  const files = $("file-input");
  files.addEventListener("change", async () => {
    const chosen = Array.from(files.files);
    files.value = "";
    await upload(chosen);
  });
  setUpDropZone($("drop-zone"), (dropped) => upload(dropped));

  loadCollections().catch((error) => showError(describe(error)));
}

setUp();
