"""One error shape for every failure, `{"error": {"code", "message"}}`, and the one place
where exceptions become HTTP status codes."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.client import data_dir_problem
from rag import errors

log = logging.getLogger("api")

STATUS = {
    errors.InvalidInput: 422,
    errors.UnknownCollection: 422,
    errors.SkipFile: 422,
    errors.DocumentNotFound: 404,
    errors.StoreUnavailable: 503,
    errors.FingerprintMismatch: 409,
    errors.ConfigError: 500,
}


class ApiError(Exception):
    """An error raised by a route with its own status and code."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def store_down(exc: BaseException) -> bool:
    """True for the ways a Chroma server that went away shows up."""
    import httpx

    text = str(exc).lower()
    return isinstance(exc, (ConnectionError, httpx.TransportError)) or any(
        marker in text for marker in ("could not connect", "connection refused", "connecterror", "connection reset")
    )


def status_of(exc: errors.RagError) -> int:
    for kind in type(exc).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 500


def install(app: FastAPI) -> None:
    @app.exception_handler(errors.RagError)
    async def _rag_error(_: Request, exc: errors.RagError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=status_of(exc))

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            if err.get("type") == "json_invalid":
                problems.append(f"the request body is not valid JSON ({err.get('ctx', {}).get('error', 'parse error')})")
                continue
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        return JSONResponse(error_body("invalid_input", "; ".join(problems)), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if store_down(exc):
            return JSONResponse(
                error_body("store_unavailable", (
                    f"The Chroma store cannot be reached ({type(exc).__name__}). "
                    "Check that it is running; requests recover once it is back."
                )),
                status_code=503,
            )
        settings = request.app.state.rag.settings
        if not settings.chroma_url and (problem := data_dir_problem(settings.chroma_dir, exc)):
            log.error("%s", problem)
            return JSONResponse(error_body("store_unavailable", problem), status_code=503)
        log.exception("unexpected error")
        return JSONResponse(error_body("internal_error", f"Unexpected {type(exc).__name__}; see the server log."), status_code=500)
