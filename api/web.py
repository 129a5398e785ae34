"""The web page at `/`: plain HTML, CSS and JavaScript served from the package (`api/static/`).

The page is the API's own client, on the same origin: everything it shows comes from the
`/v1` routes, with the same auth and rate limits. The files themselves hold no data, so they
load without a key (a browser cannot send `Authorization` when it opens a URL); with
`RAG_API_KEYS` set the page asks for a key and keeps it in the tab's session storage. The
Content-Security-Policy lets the page load and connect only to its own origin: no CDN, no
fonts from elsewhere, and no inline script, so document text can never run as code.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).with_name("static")
STATIC_PREFIX = "/static/"
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def is_page_path(path: str) -> bool:
    """The page and its files: served without a key, still rate limited."""
    return path == "/" or path.startswith(STATIC_PREFIX)


def install(app: FastAPI) -> None:
    @app.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=STATIC), name="static")
