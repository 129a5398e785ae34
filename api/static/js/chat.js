// The conversation: the first question is asked with /v1/ask, follow-ups with /v1/chat
// (which resolves "and when was it found?" from the earlier questions), both streamed. The
// history is kept in the tab's session storage: it survives a reload, not the tab.

import { $, clear, showError } from "./dom.js";
import { describe, stream } from "./http.js";
import { renderAnswer, turnItem } from "./answer.js";

const HISTORY = "rag.chat";
const MAX_TURNS = 99; // /v1/chat takes at most 200 messages

let turns = [];

function save() {
  for (;;) {
    try {
      sessionStorage.setItem(HISTORY, JSON.stringify(turns));
      return;
    } catch {
      if (!turns.length) return;
      turns = turns.slice(1); // over the storage quota: the oldest turns go first
    }
  }
}

function load() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(HISTORY) || "[]");
    return Array.isArray(saved) ? saved : [];
  } catch {
    return [];
  }
}

export function restore() {
  turns = load();
  const list = clear($("conversation"));
  for (const turn of turns) {
    const view = turnItem(turn.question);
    view.setResolved(turn.resolved);
    list.append(view.item);
    renderAnswer(view.item.querySelector(".answer"), turn.answer);
  }
}

export function reset() {
  turns = [];
  save();
  clear($("conversation"));
}

// Ask `question` of `collection` ("" for the server's default), as a follow-up when there is
// a history. Resolves when the answer is complete.
export async function ask(question, collection) {
  const view = turnItem(question);
  $("conversation").append(view.item);
  view.item.scrollIntoView({ block: "nearest" });
  let answer = null;
  let resolved = question;
  const body = { collection: collection || undefined };
  const onEvent = (name, data) => {
    if (name === "question") resolved = data.resolved_question;
    if (name === "done") answer = data;
    if (name === "error") throw new Error(data.error.message);
    view.onEvent(name, data);
  };
  try {
    if (turns.length) {
      // Only the questions: the server resolves follow-ups from them, and an answer's text
      // (quoted from documents) is not sent back.
      const messages = [...turns.slice(-MAX_TURNS).map((t) => ({ role: "user", content: t.question })), { role: "user", content: question }];
      await stream("/v1/chat", { ...body, messages }, onEvent);
    } else {
      await stream("/v1/ask", { ...body, question }, onEvent);
    }
    if (!answer) throw new Error("The answer stream ended early; ask again.");
  } catch (error) {
    view.fail(describe(error));
    showError(describe(error));
    return null;
  }
  view.finish(answer);
  turns.push({ question, resolved, answer });
  save();
  showError(null);
  return answer;
}
