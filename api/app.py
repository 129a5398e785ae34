"""The FastAPI application, built by `create_app(settings)`; nothing happens at import."""

from __future__ import annotations

import hmac
import time
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api import ask, docs, documents, errors, health, openai_models, web
from api.limits import BodyLimit, RateLimiter, identity, retry_after
from api.state import AppState
from index.embedding import Embedder
from rag.settings import Settings

OPEN_PATHS = {"/healthz", "/readyz"}
UPLOAD_PATH = "/v1/documents"
JSON_BODY_LIMIT = 4 * 2**20  # questions and chat histories; uploads have their own setting
MULTIPART_OVERHEAD = 2**20  # part headers and boundaries around the files


def create_app(settings: Settings, embedder: Embedder | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI):
        if settings.api.warm_up:
            # In the background: the server answers /healthz at once (a supervisor's liveness
            # check) and /readyz says 503 "warming_up" until the model and the default
            # collection's BM25 mirror are loaded (slow for a large collection). Questions
            # that come meanwhile are answered; they wait for what they need.
            app.state.rag.start_warm_up()
        yield
        app.state.rag.close()

    app = FastAPI(
        lifespan=lifespan,
        title="grounded-rag",
        version="0.1.0",
        description="Answers questions about your documents; every answer sentence cites the exact passage it quotes.",
        docs_url=None,  # served offline by api/docs.py, with /redoc
        redoc_url=None,
    )
    app.state.rag = AppState(settings, embedder)
    keys = [key.encode() for key in settings.api_key_list]
    limits = settings.api
    limiter = RateLimiter(limits.rate_limit_per_minute, limits.rate_limit_burst) if limits.rate_limit_per_minute else None

    @app.middleware("http")
    async def _auth_limits_and_metrics(request: Request, call_next):
        started = time.perf_counter()
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        valid = bool(keys) and scheme.lower() == "bearer" and any(hmac.compare_digest(token.encode(), key) for key in keys)
        wait = 0.0
        if limiter is not None and request.url.path not in OPEN_PATHS:
            # A valid key has its own bucket; anything else counts against the client address,
            # so guessing keys is limited too.
            wait = limiter.acquire(identity(token if valid else None, request.client.host if request.client else None))
        if wait:
            response = JSONResponse(
                errors.error_body("rate_limited", (
                    f"Too many requests: at most {limits.rate_limit_per_minute} a minute "
                    f"(bursts of {limits.rate_limit_burst}); retry in {retry_after(wait)} s."
                )),
                status_code=429, headers={"Retry-After": retry_after(wait)},
            )
        elif keys and request.url.path not in OPEN_PATHS and not web.is_page_path(request.url.path):
            if scheme.lower() != "bearer" or not token:
                response = JSONResponse(
                    errors.error_body("unauthorized", "Send 'Authorization: Bearer KEY'."),
                    status_code=401, headers={"WWW-Authenticate": "Bearer"},
                )
            elif not valid:
                response = JSONResponse(errors.error_body("unauthorized", "The API key is not valid."), status_code=401, headers={"WWW-Authenticate": "Bearer"})
            else:
                response = await call_next(request)
        else:
            response = await call_next(request)
        if web.is_page_path(request.url.path):
            response.headers.update(web.PAGE_HEADERS)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        app.state.rag.metrics.record_request(request.method, path, response.status_code, time.perf_counter() - started)
        return response

    upload_limit = int(limits.max_upload_mb * 2**20) + MULTIPART_OVERHEAD
    app.add_middleware(BodyLimit, limit_for=lambda path: upload_limit if path == UPLOAD_PATH else JSON_BODY_LIMIT)
    errors.install(app)
    app.include_router(ask.router)
    app.include_router(documents.router)
    app.include_router(health.router)
    app.include_router(openai_models.router)
    web.install(app)
    docs.install(app)

    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory api.app:app_from_env` (used by `rag serve --workers N`)."""
    return create_app(Settings())
