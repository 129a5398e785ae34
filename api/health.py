"""Health checks and metrics."""

from __future__ import annotations

import os
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from api.errors import error_body
from api.models import ErrorResponse, error_responses
from index.client import connect

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive", description="`worker`: the process id of the API worker that answered.")
def healthz() -> dict:
    return {"status": "ok", "worker": os.getpid()}


@router.get(
    "/readyz",
    summary="Chroma is reachable and the model is loaded",
    description="`warm_up` says whether the model and the default collection were loaded at start-up "
    "(`done`, with the seconds it took), not (`off`: RAG_API__WARM_UP=false), or could not be (`failed`). "
    "While they are loading (`running`) this answers 503 with the code `warming_up`.",
    responses={503: {"model": ErrorResponse}},
)
def readyz(request: Request):
    state = request.app.state.rag
    warm_up = dict(state.warm_up_status)
    if warm_up.get("status") == "running":
        waited = time.time() - float(warm_up.pop("since"))
        body = error_body(
            "warming_up",
            f"The server is loading the embedding model and the default collection ({waited:.0f} s so far); "
            "ask again in a few seconds. Questions sent now are answered once what they need is loaded.",
        )
        return JSONResponse({**body, "warm_up": {"status": "running", "seconds": round(waited, 1)}}, status_code=503)
    try:
        connect(state.settings).heartbeat()
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        return JSONResponse(error_body("store_unavailable", f"Chroma is not reachable: {exc}"), status_code=503)
    dimension = state.default_embedder().dimension  # loads the model once if it is not loaded yet
    return {"status": "ready", "embedding_dimension": dimension, "warm_up": state.warm_up_status}


@router.get("/metrics", response_class=PlainTextResponse, responses=error_responses(), summary="Prometheus metrics")
def metrics(request: Request) -> str:
    return request.app.state.rag.metrics.render()
