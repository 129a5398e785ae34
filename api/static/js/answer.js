// One question and its answer: the text as it streams in, then each sentence with its [n]
// markers as links to the cited span, the citations, who answered, the warnings and the
// sentences the checker removed. An abstention says so and lists the passages considered.

import { append, clear, el, showError } from "./dom.js";
import { describe } from "./http.js";
import { openSource } from "./source.js";

function sourceLink(answer, { id, start, end, label, text }) {
  const link = el("a", {
    class: "cite",
    href: `#${encodeURIComponent(id)}:${start}-${end}`,
    "aria-label": `${label}, open in its source`,
  }, text);
  link.addEventListener("click", (event) => {
    event.preventDefault();
    openSource({ collection: answer.collection, id, start, end, label, from: link })
      .catch((error) => showError(describe(error)));
  });
  return link;
}

function citationLink(answer, citation) {
  return sourceLink(answer, {
    id: citation.document_id, start: citation.start_char, end: citation.end_char,
    label: `Citation [${citation.id}]`, text: `[${citation.id}]`,
  });
}

function sentences(answer, byId) {
  const text = el("p", { class: "answer-text" });
  answer.sentences.forEach((sentence, i) => {
    if (i) text.append(" ");
    text.append(el("span", { class: sentence.supported ? "sentence" : "sentence unsupported" }, sentence.text));
    if (!sentence.supported) text.append(el("span", { class: "flag" }, " (not supported by its sources)"));
    for (const n of sentence.citation_ids) {
      text.append(" ", byId.has(n) ? citationLink(answer, byId.get(n)) : `[${n}]`);
    }
  });
  return text;
}

function considered(answer) {
  if (!answer.passages.length) return el("p", { class: "hint" }, "No passages were found in this collection.");
  return el("section", { class: "considered" },
    el("h3", {}, `Passages considered (${answer.passages.length})`),
    el("ol", {}, answer.passages.map((passage, i) => el("li", {},
      sourceLink(answer, {
        id: passage.document_id, start: passage.start_char, end: passage.end_char,
        label: `Passage ${i + 1}`, text: `${passage.title || passage.source}, characters ${passage.start_char}-${passage.end_char}`,
      }),
      el("p", { class: "passage-text" }, passage.text),
    ))));
}

function citations(answer) {
  return el("ol", { class: "citations", "aria-label": "Citations" }, answer.citations.map((citation) => el("li", {},
    citationLink(answer, citation), " ",
    el("span", { class: "cite-title" }, citation.title || citation.source), " ",
    el("span", { class: "hint" }, `(${citation.source})`), " ",
    el("q", {}, citation.quote),
  )));
}

function details(answer) {
  const parts = [el("p", { class: "meta" },
    `Answered by ${answer.answered_by}`,
    ` · answerability ${answer.answerability.toFixed(2)}`,
    answer.timings_ms && answer.timings_ms.total !== undefined ? ` · ${Math.round(answer.timings_ms.total)} ms` : "",
    ` · ${answer.collection}`)];
  if (answer.warnings.length) {
    parts.push(el("ul", { class: "warnings", "aria-label": "Warnings" }, answer.warnings.map((w) => el("li", {}, w))));
  }
  if (answer.removed_sentences.length) {
    parts.push(el("details", { class: "removed", open: true },
      el("summary", {}, `Removed ${answer.removed_sentences.length} sentence(s) the sources do not support`),
      el("ul", {}, answer.removed_sentences.map((s) => el("li", {},
        s.text, el("span", { class: "hint" }, ` (support ${s.support_score.toFixed(2)}${s.citation_ids.length ? `, cited ${s.citation_ids.map((n) => `[${n}]`).join(" ")}` : ""})`)))),
    ));
  }
  if (answer.generated) {
    parts.push(el("details", { class: "generated" }, el("summary", {}, "The LLM's text before checking"), el("p", {}, answer.generated)));
  }
  return parts;
}

// The finished answer into `box`.
export function renderAnswer(box, answer) {
  clear(box);
  box.classList.remove("streaming");
  if (answer.abstained) {
    box.classList.add("abstained");
    append(box, el("p", { class: "abstention" }, el("strong", {}, answer.answer)), considered(answer));
  } else {
    const byId = new Map(answer.citations.map((c) => [c.id, c]));
    append(box, answer.sentences.length ? sentences(answer, byId) : el("p", { class: "answer-text" }, answer.answer));
    if (answer.citations.length) box.append(citations(answer));
  }
  append(box, details(answer));
}

// The list item for one turn; `resolved` is the question as the server answered it.
export function turnItem(question) {
  const resolved = el("p", { class: "resolved hint", hidden: true });
  const box = el("div", { class: "answer streaming" });
  const item = el("li", { class: "turn" }, el("p", { class: "question" }, question), resolved, box);
  const draft = el("p", { class: "draft", hidden: true });
  const text = el("p", { class: "answer-text" });
  box.append(el("p", { class: "hint pending" }, "Answering…"), draft, text);
  return {
    item,
    setResolved(value) {
      if (value && value !== question) {
        resolved.textContent = `Answered as: ${value}`;
        resolved.hidden = false;
      }
    },
    // One Server-Sent Event of /v1/ask or /v1/chat.
    onEvent(name, data) {
      if (name === "question") this.setResolved(data.resolved_question);
      else if (name === "token") {
        if (draft.hidden) {
          draft.hidden = false;
          draft.append(el("span", { class: "hint" }, "Draft from the LLM, not checked yet: "));
        }
        draft.append(data.text);
      } else if (name === "delta") {
        box.querySelector(".pending")?.remove();
        draft.hidden = true;
        text.append(data.text);
      }
    },
    finish(answer) {
      renderAnswer(box, answer);
    },
    fail(message) {
      clear(box);
      box.classList.remove("streaming");
      box.append(el("p", { class: "error" }, message));
    },
  };
}
