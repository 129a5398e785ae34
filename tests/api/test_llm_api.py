"""The API with an LLM behind it (the scripted OpenAI-compatible server), over real HTTP."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from api.app import create_app
from index.commands import run_ingest
from rag.settings import LlmSettings, Settings
from tests.support.llm_texts import INVENTED, TRUE, block_of
from tests.support.paths import SEEDS
from tests.support.scripted_llm import Reply
from tests.support.servers import UvicornThread

QUESTION = "When was the pipe bomb discovered?"


@pytest.fixture(scope="module")
def api(tmp_path_factory, llm_server, real_embedder):
    settings = Settings(data_dir=tmp_path_factory.mktemp("llmapi") / "data", chroma_url=None, collection="default", index={"embed_backend": "torch"})
    run_ingest(settings, [SEEDS])
    llm = LlmSettings(backend="openai", base_url=llm_server.base_url, model="scripted", timeout_s=5, retries=0)
    settings = settings.model_copy(update={"llm": llm})
    if "rate_limit_per_minute" in type(settings.api).model_fields:
        settings = settings.model_copy(update={"api": settings.api.model_copy(update={"rate_limit_per_minute": 0})})
    with UvicornThread(create_app(settings, real_embedder)) as server:
        yield server


def answer_with_invention(body: dict) -> str:
    n = block_of(body, "1:05 p.m.")
    return f"{TRUE} [{n}]. {INVENTED} [{n}]."


def test_stream_sends_tokens_as_they_come_then_the_checked_answer(api, llm_server):
    llm_server.set(Reply(respond=answer_with_invention, token_delay_s=0.02))
    arrivals: list[tuple[float, str, dict]] = []
    with httpx.stream("POST", f"{api.url}/v1/ask", json={"question": QUESTION, "stream": True}, timeout=60) as response:
        assert response.status_code == 200
        event = None
        for line in response.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                arrivals.append((time.monotonic(), event, json.loads(line[6:])))
    kinds = [kind for _, kind, _ in arrivals]
    assert kinds[0] == "token" and kinds[-1] == "done"
    tokens = [(t, data["text"]) for t, kind, data in arrivals if kind == "token"]
    assert tokens[-1][0] - tokens[0][0] > 0.1  # streamed over time
    done = arrivals[-1][2]
    assert "".join(text for _, text in tokens) == done["generated"]
    assert INVENTED in done["generated"] and INVENTED not in done["answer"]  # shown raw, then removed
    assert done["removed_sentences"][0]["text"] == INVENTED + "."
    verification = next(data for _, kind, data in arrivals if kind == "verification")
    assert [s["supported"] for s in verification] == [True]


def test_a_stream_the_client_leaves_stops_the_llm(api, llm_server):
    words = 400
    llm_server.set(Reply(text=" ".join(f"word{i}" for i in range(words)) + " [1].", token_delay_s=0.01))
    seen = 0
    with httpx.stream("POST", f"{api.url}/v1/ask", json={"question": QUESTION, "stream": True}, timeout=60) as response:
        for line in response.iter_lines():
            seen += line.startswith("event: token")
            if seen == 3:
                break  # leaving the block closes the connection
    deadline = time.monotonic() + 10
    while not llm_server.aborted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert llm_server.aborted == 1  # the server closed its request to the LLM
    sent = llm_server.tokens_sent
    time.sleep(0.3)
    assert llm_server.tokens_sent == sent < words  # and nothing more was generated


def test_plain_ask_reports_the_fallback(api, llm_server):
    llm_server.set(Reply(status=500))
    body = httpx.post(f"{api.url}/v1/ask", json={"question": QUESTION}, timeout=60).json()
    assert body["answered_by"] == "extractive" and "could not answer" in body["warnings"][-1]


def test_stream_with_unknown_collection_is_an_error_not_a_broken_stream(api):
    response = httpx.post(f"{api.url}/v1/ask", json={"question": QUESTION, "stream": True, "collection": "nope"}, timeout=60)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_collection"


def test_chat_condenses_the_follow_up_with_the_llm(api, llm_server):
    condensed = "When was the pipe bomb at the DNC discovered?"
    llm_server.set(Reply(condensed), Reply(respond=lambda body: f"{TRUE} [{block_of(body, '1:05 p.m.')}]."))
    messages = [
        {"role": "user", "content": "Where was the pipe bomb placed?"},
        {"role": "assistant", "content": "Next to a bench along the DNC building."},
        {"role": "user", "content": "and when was it found?"},
    ]
    body = httpx.post(f"{api.url}/v1/chat", json={"messages": messages}, timeout=60).json()
    assert body["resolved_question"] == condensed
    assert "1:05 p.m." in body["answer"] and body["answered_by"] == "openai:scripted"
