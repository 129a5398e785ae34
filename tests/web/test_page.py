"""The web page in headless Chromium against a real server: asking (streamed), citations
highlighted in their source, abstentions, follow-ups, uploads and deletes, hostile documents,
the key prompt, phone-sized screens, the keyboard, and that no request leaves 127.0.0.1.
Every expectation is read from the API itself, not written into the test."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from pydantic import SecretStr

from api.app import create_app
from index.commands import run_ingest
from rag.settings import LlmSettings
from tests.support.llm_texts import INVENTED, TRUE, block_of
from tests.support.paths import REPO, SEEDS
from tests.support.scripted_llm import Reply
from tests.support.servers import UvicornThread, wait_ready
from tests.support.web import OUTPUT, PHONE, Server, Tab, open_tab, screenshot, web_settings

pytestmark = pytest.mark.slow  # a browser and a server with the real model

QUESTION = "What time was the pipe bomb discovered?"
GOLD = REPO / "eval" / "gold" / "seed.jsonl"
TIMINGS = OUTPUT / "web-first-answer.json"

# Marks the time of the Enter that submits, of the first answer text on the page, and of the
# finished answer, for the turn about to be added.
TIMER = """() => {
  const list = document.getElementById("conversation");
  const index = list.children.length;
  const t = window.__timing = {};
  window.addEventListener("keydown", (e) => { if (e.key === "Enter") t.enter = performance.now(); }, { capture: true, once: true });
  const observer = new MutationObserver(() => {
    const turn = list.children[index];
    if (!turn) return;
    const text = turn.querySelector(".answer-text");
    if (t.first === undefined && text && text.textContent) { t.first = performance.now(); t.streamed = text.textContent; }
    if (!turn.querySelector(".answer.streaming")) { t.done = performance.now(); observer.disconnect(); }
  });
  observer.observe(list, { childList: true, subtree: true, characterData: true, attributes: true });
}"""


def ask(page: Page, question: str) -> dict:
    """Type `question`, press Enter, wait for the finished answer; the timings in ms."""
    page.fill("#question", question)
    page.evaluate(TIMER)
    count = page.locator("#conversation > li").count()
    page.press("#question", "Enter")
    turn = page.locator("#conversation > li").nth(count)
    expect(turn.locator(".answer")).not_to_have_class("answer streaming", timeout=60_000)
    timing = page.evaluate("window.__timing")
    return {**timing, "turn": turn}


def api_answer(server: Server, question: str, collection: str | None = None) -> dict:
    body = {"question": question, **({"collection": collection} if collection else {})}
    response = server.http.post("/v1/ask", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def document_text(server: Server, document_id: str, collection: str | None = None) -> str:
    params = {"collection": collection} if collection else {}
    return server.http.get(f"/v1/documents/{document_id}", params=params).json()["text"]


def choose_collection(page: Page, name: str) -> None:
    expect(page.locator(f"#collection option[value='{name}']")).to_have_count(1)
    page.select_option("#collection", name)


def upload_api(server: Server, collection: str, files: list[tuple[str, bytes]]) -> dict:
    response = server.http.post(
        "/v1/documents", params={"collection": collection, "wait": "true"},
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_ask_streams_the_answer_then_links_each_citation(tab: Tab, server: Server):
    page = tab.page
    expected = api_answer(server, QUESTION)
    assert not expected["abstained"] and expected["citations"], "the demo corpus answers this"
    with page.expect_response(lambda r: r.url.endswith("/v1/ask")) as response_info:
        result = ask(page, QUESTION)
    response = response_info.value
    assert response.headers["content-type"].startswith("text/event-stream")
    assert json.loads(response.request.post_data)["stream"] is True
    turn = result["turn"]
    assert expected["answer"].startswith(result["streamed"]), "the streamed text is the start of the answer"
    expect(turn.locator(".answer-text")).to_have_text(expected["answer"])
    links = turn.locator(".answer-text a.cite")
    markers = [f"[{n}]" for s in expected["sentences"] for n in s["citation_ids"]]
    assert links.all_text_contents() == markers
    expect(turn.locator(".meta")).to_contain_text(f"Answered by {expected['answered_by']}")
    expect(turn.locator(".citations li")).to_have_count(len(expected["citations"]))
    screenshot(page, "ask")


def test_a_citation_opens_its_source_with_exactly_the_quote_highlighted(tab: Tab, server: Server):
    page = tab.page
    expected = api_answer(server, QUESTION)
    turn = ask(page, QUESTION)["turn"]
    by_id = {c["id"]: c for c in expected["citations"]}
    links = turn.locator(".answer-text a.cite")
    assert links.count() >= 1
    for i in range(links.count()):
        link = links.nth(i)
        citation = by_id[int(link.inner_text().strip("[]"))]
        link.click()
        mark = page.locator("#source-text mark")
        expect(page.locator("#source-meta")).to_contain_text(f"characters {citation['start_char']}-{citation['end_char']}")
        text = document_text(server, citation["document_id"])
        assert mark.text_content() == citation["quote"] == text[citation["start_char"]:citation["end_char"]]
        before = page.evaluate("document.getElementById('source-text').firstChild.textContent")
        assert len(before.encode("utf-16-le")) // 2 == len(text[:citation["start_char"]].encode("utf-16-le")) // 2
        assert mark_is_visible(page), "the highlighted span is scrolled into view"
    screenshot(page, "citation")
    page.keyboard.press("Escape")
    expect(page.locator("#source")).to_be_hidden()


def mark_is_visible(page: Page) -> bool:
    return page.evaluate("""() => {
      const mark = document.querySelector('#source-text mark').getBoundingClientRect();
      const box = document.getElementById('source-text').getBoundingClientRect();
      return mark.top < Math.min(box.bottom, innerHeight) && mark.bottom > Math.max(box.top, 0);
    }""")


# Asked of the page below. "Where does the kestrel nest?" falls under the current calibration's
# threshold (a where-question whose answer names no kind of place: docs/evaluation.md), and this
# test is about offsets, not abstention.
KESTREL = "On which tower does the kestrel nest?"


def test_offsets_are_code_points_emoji_and_crlf_before_the_quote(tab: Tab, server: Server):
    text = (
        "# Mill notes \U0001F3ED\r\n\r\nVisitors \U0001F600\U0001F600 love the mill; caf\u00e9 e\u0301 \U0001F426 birds.\r\n\r\n"
        "The kestrel nests on the north tower of the old mill.\r\nIt hunts voles in the meadow.\r\n"
    )
    upload_api(server, "unicode", [("mill.md", text.encode())])
    expected = api_answer(server, KESTREL, "unicode")
    assert expected["citations"], expected
    citation = expected["citations"][0]
    prefix = document_text(server, citation["document_id"], "unicode")[: citation["start_char"]]
    assert len(prefix.encode("utf-16-le")) // 2 > len(prefix), "astral characters come before the quote"
    page = tab.page
    page.reload()
    choose_collection(page, "unicode")
    turn = ask(page, KESTREL)["turn"]
    turn.locator(".answer-text a.cite").first.click()
    expect(page.locator("#source-text mark")).to_have_count(1)
    assert page.locator("#source-text mark").text_content() == citation["quote"]


def test_an_abstention_is_plain_and_lists_the_passages_considered(tab: Tab, server: Server):
    unanswerable = [json.loads(line)["question"] for line in GOLD.read_text().splitlines() if not json.loads(line)["answerable"]]
    question = next(q for q in unanswerable if api_answer(server, q)["abstained"])
    expected = api_answer(server, question)
    page = tab.page
    turn = ask(page, question)["turn"]
    expect(turn.locator(".abstention")).to_have_text(expected["answer"])
    expect(turn.locator(".answer-text a.cite")).to_have_count(0)
    passages = turn.locator(".considered li")
    expect(passages).to_have_count(len(expected["passages"]))
    assert passages.locator(".passage-text").all_text_contents() == [p["text"] for p in expected["passages"]]
    passages.first.locator("a").click()
    first = expected["passages"][0]
    expect(page.locator("#source-text mark")).to_have_count(1)
    assert page.locator("#source-text mark").text_content() == first["text"]
    page.locator("#source-close").click()
    screenshot(page, "abstention")


def test_follow_ups_use_the_conversation_kept_for_the_tab(tab: Tab, server: Server):
    page = tab.page
    first, follow_up = "Where was the pipe bomb placed?", "and when was it found?"
    expected = server.http.post("/v1/chat", json={"messages": [
        {"role": "user", "content": first}, {"role": "user", "content": follow_up},
    ]}).json()
    ask(page, first)
    with page.expect_request(lambda r: r.url.endswith("/v1/chat")):
        turn = ask(page, follow_up)["turn"]
    expect(turn.locator(".resolved")).to_have_text(f"Answered as: {expected['resolved_question']}")
    expect(turn.locator(".answer-text")).to_have_text(expected["answer"])
    page.reload()
    expect(page.locator("#conversation > li")).to_have_count(2)
    expect(page.locator("#conversation > li").nth(1).locator(".answer-text")).to_have_text(expected["answer"])
    page.click("#new-chat")
    expect(page.locator("#conversation > li")).to_have_count(0)
    page.reload()
    expect(page.locator("#conversation > li")).to_have_count(0)


def drop_files(page: Page, selector: str, files: list[tuple[str, str]]) -> None:
    """Drop `files` (name, text) on `selector` as a drag and drop from the desktop does."""
    transfer = page.evaluate_handle("""(files) => {
      const transfer = new DataTransfer();
      for (const [name, text] of files) transfer.items.add(new File([text], name, { type: "text/plain" }));
      return transfer;
    }""", files)
    page.dispatch_event(selector, "dragover", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_create_a_collection_upload_ask_and_delete(tab: Tab, server: Server):
    page = tab.page
    notes = b"# Garden notes\n\nThe blue heron nested by the east pond in 2021.\n"
    bad = [("empty.txt", b""), ("bin.txt", b"\x00\x01\x02\x03")]
    reasons = {s["source"]: s["reason"] for s in upload_api(server, "reference", bad)["result"]["skipped"]}
    assert len(reasons) == 2

    page.click("#new-collection")
    page.fill("#collection-name", "garden")
    page.press("#collection-name", "Enter")
    expect(page.locator("#collection")).to_have_value("garden")
    assert "garden" in server.http.get("/v1/collections").json()
    page.click("#tab-documents")
    expect(page.locator("#documents-empty")).to_be_visible()

    page.set_input_files("#file-input", [
        {"name": "notes.md", "mimeType": "text/markdown", "buffer": notes},
        *({"name": name, "mimeType": "text/plain", "buffer": data} for name, data in bad),
    ])
    job = page.locator("#jobs > li").first
    expect(job).to_have_attribute("data-status", "done", timeout=60_000)
    expect(job.locator(".job-status")).to_contain_text("1 added")
    assert sorted(job.locator(".skipped li").all_text_contents()) == sorted(f"{s}: {r}" for s, r in reasons.items())
    expect(page.locator("#documents tbody tr")).to_have_count(1)
    expect(page.locator("#documents tbody td.doc-source")).to_have_text("upload://notes.md")

    page.click("#tab-ask")
    expected = api_answer(server, "Where did the blue heron nest?", "garden")
    assert not expected["abstained"], expected
    turn = ask(page, "Where did the blue heron nest?")["turn"]
    expect(turn.locator(".answer-text")).to_have_text(expected["answer"])
    expect(turn.locator(".citations li").first).to_contain_text("upload://notes.md")

    page.click("#tab-documents")
    drop_files(page, "#drop-zone", [("pond.txt", "The east pond froze over in January 2022.")])
    expect(page.locator("#jobs > li").first).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.locator("#documents tbody tr")).to_have_count(2)
    screenshot(page, "documents")

    row = page.locator("#documents tbody tr", has_text="upload://notes.md")
    row.get_by_role("button", name="Delete").click()
    expect(page.locator("#documents tbody tr")).to_have_count(1)
    assert [d["source"] for d in server.http.get("/v1/documents", params={"collection": "garden"}).json()] == ["upload://pond.txt"]
    assert tab.dialogs and tab.dialogs[-1].startswith("confirm: Delete")


def test_a_hostile_document_is_shown_as_inert_text(tab: Tab, server: Server):
    hostile = (
        "# <img src=/pwned-title.png onerror=\"window.__pwned='title'\"> Lighthouse log\n\n"
        "<script>window.__pwned = 'script'; alert('script')</script>\n"
        "<img src=\"/pwned.png\" onerror=\"window.__pwned = 'img'; alert('img')\">\n\n"
        "The lighthouse keeper painted the door green in 1998. <b onmouseover=\"alert(1)\">bold</b>\n"
    )
    name = "<img src=x onerror=alert(1)>.md"
    page = tab.page
    page.click("#new-collection")
    page.fill("#collection-name", "hostile")
    page.press("#collection-name", "Enter")
    expect(page.locator("#collection")).to_have_value("hostile")
    page.click("#tab-documents")
    page.set_input_files("#file-input", [{"name": name, "mimeType": "text/markdown", "buffer": hostile.encode()}])
    expect(page.locator("#jobs > li").first).to_have_attribute("data-status", "done", timeout=60_000)
    record = server.http.get("/v1/documents", params={"collection": "hostile"}).json()[0]
    expect(page.locator("#documents td.doc-title")).to_have_text(record["title"])
    expect(page.locator("#documents td.doc-source")).to_have_text(record["source"])
    assert "<img" in record["title"] + record["source"]

    page.click("#tab-ask")
    turn = ask(page, "What colour did the lighthouse keeper paint the door?")["turn"]
    turn.locator("a.cite").first.click()
    expect(page.locator("#source-text mark")).to_have_count(1)
    shown = page.locator("#source-text").text_content()
    assert shown == document_text(server, record["id"], "hostile") and "<script>" in shown and "onerror=" in shown
    expect(page.locator("#source-title")).to_have_text(record["title"])
    assert page.evaluate("window.__pwned") is None
    for area in ("#source", "#conversation", "#documents", "#jobs"):
        assert page.locator(f"{area} img, {area} script, {area} b").count() == 0, area
    assert tab.dialogs == []
    assert not any("pwned" in url or url.endswith("/x") for url in tab.requests)
    screenshot(page, "hostile")


def test_the_key_prompt_when_keys_are_set(browser, tmp_path: Path, model_cache: Path):
    settings = web_settings(tmp_path / "data", model_cache, warm_up=False, rate_limit_per_minute=300)
    settings = settings.model_copy(update={"api_keys": SecretStr("right-key-123,other-key-456")})
    with UvicornThread(create_app(settings)) as running:
        wait_ready(running.url)
        created = httpx.post(f"{running.url}/v1/collections", json={"name": "locked"}, headers={"Authorization": "Bearer other-key-456"})
        assert created.status_code == 201
        tab = open_tab(browser, running.url)
        page = tab.page
        page.goto(running.url + "/")
        dialog = page.locator("#key-dialog")
        expect(dialog).to_be_visible()
        expect(page.locator("#key-error")).to_be_hidden()
        screenshot(page, "key")
        page.fill("#key-input", "wrong-key")
        page.press("#key-input", "Enter")
        expect(page.locator("#key-error")).to_have_text("The API key is not valid.")
        expect(dialog).to_be_visible()
        page.fill("#key-input", "right-key-123")
        page.press("#key-input", "Enter")
        expect(dialog).to_be_hidden()
        expect(page.locator("#collection option")).to_have_text(["locked"])
        assert page.evaluate("sessionStorage.getItem('rag.key')") == "right-key-123"
        assert page.evaluate("localStorage.length") == 0 and page.evaluate("document.cookie") == ""
        page.reload()
        expect(page.locator("#collection option")).to_have_text(["locked"])
        expect(dialog).to_be_hidden()
        again = open_tab(browser, running.url)
        again.page.goto(running.url + "/")
        expect(again.page.locator("#key-dialog")).to_be_visible()
        for opened in (tab, again):
            assert opened.elsewhere() == []
            opened.page.context.close()


def test_no_request_leaves_127_0_0_1(tab: Tab, server: Server):
    page = tab.page
    turn = ask(page, QUESTION)["turn"]
    turn.locator("a.cite").first.click()
    expect(page.locator("#source-text mark")).to_have_count(1)
    page.click("#tab-documents")
    expect(page.locator("#documents tbody tr").first).to_be_visible()
    assert tab.requests and tab.elsewhere() == []
    paths = {url[len(server.url):].split("?")[0] for url in tab.requests}
    assert {"/", "/static/app.css", "/static/js/main.js", "/v1/collections", "/v1/ask", "/v1/documents"} <= paths
    assert page.evaluate("[...document.querySelectorAll('link[href], script[src]')].every(e => (e.href || e.src).startsWith(location.origin))")


def test_readable_on_a_phone_sized_screen(browser, server: Server):
    tab = open_tab(browser, server.url, viewport=PHONE)
    page = tab.page
    page.goto(server.url + "/")
    turn = ask(page, QUESTION)["turn"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-ask")
    turn.locator(".answer-text a.cite").first.click()
    expect(page.locator("#source")).to_be_visible()
    box = page.locator("#source").bounding_box()
    assert box["width"] == PHONE["width"], "the source covers the screen"
    assert mark_is_visible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-citation")
    page.click("#source-close")
    page.click("#tab-documents")
    expect(page.locator("#documents tbody tr").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert tab.elsewhere() == [] and tab.errors == []
    page.context.close()


def test_usable_with_the_keyboard_alone(tab: Tab, server: Server):
    page = tab.page
    expect(page.locator("#question")).to_be_focused()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    turn = page.locator("#conversation > li").first
    expect(turn.locator(".answer")).not_to_have_class("answer streaming", timeout=60_000)
    expect(page.locator("#question")).to_be_focused()
    for _ in range(40):  # Shift+Tab back from the question box to the answer's last citation
        page.keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.matches('.answer-text a.cite')"):
            break
    else:
        pytest.fail("no citation link reachable with the keyboard")
    page.keyboard.press("Enter")
    expect(page.locator("#source")).to_be_visible()
    expect(page.locator("#source-text mark")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#source")).to_be_hidden()
    assert page.evaluate("document.activeElement.matches('.answer-text a.cite')"), "focus goes back to the citation"


def test_time_from_enter_to_the_first_answer(tab: Tab, server: Server):
    """Measured, not asserted: printed and written to web-first-answer.json (docs/ with UPDATE_DOCS=1)."""
    gold = [json.loads(line) for line in GOLD.read_text().splitlines()]
    questions = [g["question"] for g in gold if g["answerable"]][:10]
    page = tab.page
    rows = []
    for question in questions:
        page.click("#new-chat")  # each one a first question: /v1/ask, streamed
        page.focus("#question")
        timing = ask(page, question)
        rows.append({"first_answer_ms": round(timing["first"] - timing["enter"], 1), "done_ms": round(timing["done"] - timing["enter"], 1)})
    first = [row["first_answer_ms"] for row in rows]
    report = {
        "questions": len(rows),
        "first_answer_ms_median": round(statistics.median(first), 1),
        "first_answer_ms_max": max(first),
        "done_ms_median": round(statistics.median(row["done_ms"] for row in rows), 1),
        "target_ms": 1000,
        "runs": rows,
    }
    TIMINGS.parent.mkdir(parents=True, exist_ok=True)
    TIMINGS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nEnter to first answer on the demo corpus: median {report['first_answer_ms_median']} ms, max {report['first_answer_ms_max']} ms over {len(rows)} questions")


def test_with_an_llm_the_draft_streams_and_removed_sentences_and_warnings_show(browser, tmp_path: Path, model_cache: Path, llm_server):
    settings = web_settings(tmp_path / "data", model_cache)
    run_ingest(settings, [SEEDS])
    llm = LlmSettings(backend="openai", base_url=llm_server.base_url, model="scripted", timeout_s=5, retries=0)
    with UvicornThread(create_app(settings.model_copy(update={"llm": llm}))) as running:
        wait_ready(running.url)
        tab = open_tab(browser, running.url)
        page = tab.page
        page.goto(running.url + "/")
        expect(page.locator("#collection")).to_have_value("default")
        llm_server.set(Reply(respond=lambda body: f"{TRUE} [{block_of(body, '1:05 p.m.')}]. {INVENTED} [{block_of(body, '1:05 p.m.')}].", token_delay_s=0.05))
        page.fill("#question", QUESTION)
        page.press("#question", "Enter")
        turn = page.locator("#conversation > li").first
        expect(turn.locator(".draft")).to_contain_text("not checked yet")  # the LLM's tokens as they come
        expect(turn.locator(".answer")).not_to_have_class("answer streaming", timeout=60_000)
        removed = turn.locator(".removed li")
        expect(removed).to_have_count(1)
        expect(removed.first).to_contain_text(INVENTED)
        expect(turn.locator(".answer-text")).not_to_contain_text(INVENTED)
        expect(turn.locator(".answer-text")).to_contain_text("1:05 p.m.")
        expect(turn.locator(".meta")).to_contain_text("Answered by openai")
        screenshot(page, "llm-removed")

        llm_server.set(Reply(status=500))
        expected = httpx.post(f"{running.url}/v1/ask", json={"question": QUESTION}, timeout=60).json()
        assert expected["answered_by"] == "extractive" and expected["warnings"]
        page.click("#new-chat")
        turn = ask(page, QUESTION)["turn"]
        expect(turn.locator(".warnings li")).to_have_text(expected["warnings"])
        expect(turn.locator(".meta")).to_contain_text("Answered by extractive")
        assert tab.elsewhere() == [] and tab.errors == []
        page.context.close()


def test_uploads_while_the_demo_answers_start_the_users_own_collection(browser, tmp_path_factory, model_cache):
    """With only the demo corpus stored the page asks it, and a file dropped then goes into the
    user's own collection, leaving the demo as it was."""
    settings = web_settings(tmp_path_factory.mktemp("web-demo") / "data", model_cache)
    run_ingest(settings, [SEEDS], "demo")
    with UvicornThread(create_app(settings)) as running, httpx.Client(base_url=running.url, timeout=120) as http:
        wait_ready(running.url)
        demo_documents = http.get("/v1/documents", params={"collection": "demo"}).json()
        tab = open_tab(browser, running.url, accept_dialogs=True)
        page = tab.page
        page.goto(running.url + "/")
        expect(page.locator("#collection")).to_have_value("demo")
        page.click("#tab-documents")
        page.set_input_files("#file-input", [{"name": "office.md", "mimeType": "text/markdown", "buffer": b"The parking garage code is 4711.\n"}])
        expect(page.locator("#jobs > li").first).to_have_attribute("data-status", "done", timeout=60_000)
        expect(page.locator("#collection")).to_have_value("default")
        assert [d["source"] for d in http.get("/v1/documents").json()] == ["upload://office.md"]
        assert http.get("/v1/documents", params={"collection": "demo"}).json() == demo_documents
        page.context.close()
        assert tab.elsewhere() == [] and tab.errors == []
