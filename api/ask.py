"""Questions: /v1/ask (plain and streamed), /v1/chat, and the OpenAI-compatible
/v1/chat/completions."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import uuid
from typing import AsyncIterator, Callable, Iterable, Iterator

from fastapi import APIRouter, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from api.errors import ApiError
from api.models import AskRequest, ChatCompletionRequest, ChatRequest, ChatResponse, DateFilters, Message, error_responses
from api.openai_models import collection_for_model
from api.state import AppState, app_state
from rag.chat import Conversation
from rag.filters import Filters
from rag.schema import Answer

log = logging.getLogger(__name__)
router = APIRouter(tags=["questions"])
ERRORS = error_responses(e422="Invalid input: empty or over-long question, top_k out of range, unknown collection.")


def _filters(filters: DateFilters | None) -> Filters | None:
    if filters is None:
        return None
    return Filters(tuple(filters.sources), filters.date_from, filters.date_to)


def _answer(state: AppState, question: str, top_k: int | None, collection: str | None, filters: DateFilters | None) -> Answer:
    return _recorded(state, state.pipeline(collection).ask(question, top_k, _filters(filters)))


def _recorded(state: AppState, answer: Answer) -> Answer:
    state.metrics.record_stages(answer.timings_ms)
    return answer


def _event(event: str, data: object) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(data, ensure_ascii=False), event=event, sep="\n")


class ClientGone(Exception):
    """The client of a stream disconnected: the answer being written is abandoned."""


async def live_events(run: Callable[[Callable[[str], None]], Answer]) -> AsyncIterator[ServerSentEvent]:
    """Runs `run(on_token)` in a thread and streams what an LLM writes as `token` events
    (unchecked text, as it comes), then the checked answer's events. An error that reaches
    here after the stream started is sent as an `error` event. When the client goes away the
    stream is cancelled, and the next token the LLM writes stops the work (its request to the
    LLM is closed), so no one pays for an answer nobody reads."""
    loop = asyncio.get_running_loop()
    events: asyncio.Queue = asyncio.Queue()
    gone = threading.Event()

    def put(item: tuple[str, object]) -> None:
        if not gone.is_set():
            loop.call_soon_threadsafe(events.put_nowait, item)

    def on_token(token: str) -> None:
        if gone.is_set():
            raise ClientGone()
        put(("token", token))

    def work() -> None:
        try:
            put(("answer", run(on_token)))
        except ClientGone:
            log.info("stream abandoned by its client; stopped writing the answer")
        except Exception as exc:  # noqa: BLE001 - reported to the client as an event
            put(("error", exc))

    threading.Thread(target=work, daemon=True, name="rag-stream").start()
    try:
        while True:
            kind, value = await events.get()
            if kind == "token":
                yield _event("token", {"text": value})
            elif kind == "answer":
                for event in answer_events(value):
                    yield event
                return
            else:
                code = getattr(value, "code", "internal_error")
                message = str(value) if code != "internal_error" else "The answer failed; the server log has details."
                yield _event("error", {"error": {"code": code, "message": message}})
                return
    finally:
        gone.set()


def answer_events(answer: Answer) -> Iterator[ServerSentEvent]:
    """The stream of one answer: passages, the answer text piece by piece, citations and
    sentences with their verification, then `done` with the whole answer."""
    yield _event("passages", [p.model_dump() for p in answer.passages])
    if answer.abstained or not answer.sentences:
        yield _event("delta", {"text": answer.answer})
    else:
        for i, sentence in enumerate(answer.sentences):
            markers = "".join(f" [{n}]" for n in sentence.citation_ids)
            yield _event("delta", {"text": ("" if i == 0 else " ") + sentence.text + markers})
    yield _event("citations", [c.model_dump() for c in answer.citations])
    yield _event("verification", [s.model_dump() for s in answer.sentences])
    yield _event("done", answer.model_dump())


@router.post(
    "/v1/ask", response_model=Answer, responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": (
        "The answer; with stream=true, Server-Sent Events: with an LLM, token... (its unchecked text as it is "
        "written); then passages, delta... (the checked answer), citations, verification, done."
    )}},
    summary="Answer a question with cited passages",
)
def ask(body: AskRequest, request: Request):
    state = app_state(request)
    if body.stream:
        return _streamed(state, body.question, body.top_k, body.collection, body.filters)
    return _answer(state, body.question, body.top_k, body.collection, body.filters)


def _streamed(state: AppState, question: str, top_k: int | None, collection: str | None, filters: DateFilters | None,
              lead: tuple[ServerSentEvent, ...] = ()) -> EventSourceResponse:
    """The answer as Server-Sent Events, after the `lead` events. Bad input is refused with
    its status before the stream starts: the pipeline is resolved and the question checked
    once, here."""
    pipeline = state.pipeline(collection)  # unknown collection: a 422 before the stream starts
    checked = pipeline.checked(question, top_k)
    wanted = _filters(filters)
    if state.settings.llm.backend == "extractive":
        events: Iterable[ServerSentEvent] | AsyncIterator[ServerSentEvent] = [
            *lead, *answer_events(_recorded(state, pipeline.ask(checked, filters=wanted)))
        ]
    else:
        def run(on_token: Callable[[str], None]) -> Answer:
            return _recorded(state, pipeline.ask(checked, filters=wanted, on_token=on_token))

        events = _after(lead, live_events(run))
    return EventSourceResponse(events, sep="\n")


async def _after(lead: tuple[ServerSentEvent, ...], events: AsyncIterator[ServerSentEvent]) -> AsyncIterator[ServerSentEvent]:
    for event in lead:
        yield event
    async for event in events:
        yield event


def _resolve(messages: list[Message], state: AppState, collection: str | None) -> tuple[str, Conversation]:
    users = [m.content for m in messages if m.role == "user"]
    if not users:
        raise ApiError(422, "invalid_input", "messages must contain at least one user message")
    conversation = Conversation.of(users[:-1])  # earlier turns: the heuristic is enough to carry their subject
    if state.settings.llm.backend != "extractive":
        conversation.condense = state.pipeline(collection).condense
    return conversation.resolve(users[-1]), conversation


@router.post(
    "/v1/chat", response_model=ChatResponse, responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": (
        "The answer with the question as resolved; with stream=true, Server-Sent Events: question "
        "(`resolved_question`), then those of /v1/ask."
    )}},
    summary="Answer the last question of a conversation",
)
def chat(body: ChatRequest, request: Request):
    state = app_state(request)
    question, _ = _resolve(body.messages, state, body.collection)
    if body.stream:
        lead = (_event("question", {"resolved_question": question}),)
        return _streamed(state, question, body.top_k, body.collection, body.filters, lead)
    answer = _answer(state, question, body.top_k, body.collection, body.filters)
    return ChatResponse(**answer.model_dump(), resolved_question=question)


@router.post(
    "/v1/chat/completions",
    responses={**ERRORS, 200: {
        "description": "An OpenAI chat.completion with `citations` added; with stream=true, chat.completion.chunk events then [DONE].",
        "content": {"application/json": {}, "text/event-stream": {}},
    }},
    summary="OpenAI-compatible chat completions, answered from the documents",
    description="`model` picks the collection when it names one (GET /v1/models lists them); any other model answers from the default collection.",
)
def chat_completions(body: ChatCompletionRequest, request: Request):
    state = app_state(request)
    collection = collection_for_model(state.settings, body.model)
    question, _ = _resolve(body.messages, state, collection)
    answer = _answer(state, question, None, collection, None)
    completion_id = f"chatcmpl-{uuid.uuid4().hex[:24]}"
    created = int(time.time())
    citations = [c.model_dump() for c in answer.citations]
    if not body.stream:
        return {
            "id": completion_id, "object": "chat.completion", "created": created, "model": body.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": answer.answer}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "citations": citations, "abstained": answer.abstained,
        }

    def chunks() -> Iterator[ServerSentEvent]:
        base = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": body.model}

        def chunk(payload: dict) -> ServerSentEvent:
            return ServerSentEvent(data=json.dumps(payload, ensure_ascii=False), sep="\n")

        yield chunk({**base, "choices": [{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]})
        pieces = [s.text + "".join(f" [{n}]" for n in s.citation_ids) for s in answer.sentences] or [answer.answer]
        for i, piece in enumerate(pieces):
            delta = {"content": ("" if i == 0 else " ") + piece}
            yield chunk({**base, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
        yield chunk({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}], "citations": citations})
        yield ServerSentEvent(data="[DONE]", sep="\n")

    return EventSourceResponse(chunks(), sep="\n")
