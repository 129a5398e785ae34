"""The API's own documentation pages, `/docs` (Swagger UI) and `/redoc` (ReDoc), served with
their JavaScript and CSS from this server instead of a CDN, so they work offline.

The files come from the `fastapi-offline` package (its `static/` folder: Swagger UI 5 and
ReDoc 2 as released, plus FastAPI's favicon); the pages are FastAPI's own
`get_swagger_ui_html` and `get_redoc_html`, pointed at them, as FastAPI's "self-hosting
JavaScript and CSS for docs" recipe does. Only the files are used, not the package's
`FastAPIOffline` factory, so `create_app` keeps building a plain `FastAPI`.

These paths are not page paths (`api.web.is_page_path`): with `RAG_API_KEYS` set they need a
key, like `/openapi.json`, and they do not get the web page's Content-Security-Policy (Swagger
UI starts from an inline script, ReDoc injects its styles). ReDoc gets a policy of its own:
its sidebar always shows Redocly's logo from their CDN, and `img-src 'self'` keeps the page
from fetching it (the logo hides itself when it fails to load); nothing else needs to change.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
ASSETS_PATH = "/docs/assets"
SWAGGER_JS = "swagger-ui-bundle.js"
SWAGGER_CSS = "swagger-ui.css"
REDOC_JS = "redoc.standalone.js"
FAVICON = "favicon.png"
REDOC_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def assets_dir() -> Path:
    """The folder of Swagger UI's and ReDoc's files in the installed `fastapi-offline`."""
    try:
        folder = Path(str(files("fastapi_offline") / "static"))
    except ModuleNotFoundError:
        raise RuntimeError(
            "The API docs need the `fastapi-offline` package for their JavaScript and CSS: "
            "pip install -c requirements.lock -e ."
        ) from None
    missing = [name for name in (SWAGGER_JS, SWAGGER_CSS, REDOC_JS, FAVICON) if not (folder / name).is_file()]
    if missing:
        raise RuntimeError(
            f"fastapi-offline at {folder} lacks {', '.join(missing)}; reinstall the version in "
            "requirements.lock: pip install --force-reinstall -c requirements.lock fastapi-offline"
        )
    return folder


def install(app: FastAPI) -> None:
    """Serve `/docs`, its OAuth2 redirect page, `/redoc` and their files under `/docs/assets`.
    The app is built with `docs_url=None, redoc_url=None`, so FastAPI's CDN pages are off."""
    folder = assets_dir()
    openapi_url = app.openapi_url or "/openapi.json"
    redirect_url = app.swagger_ui_oauth2_redirect_url or f"{DOCS_PATH}/oauth2-redirect"
    # Swagger UI would otherwise offer to send the document to its online validator.
    parameters = {**(app.swagger_ui_parameters or {}), "validatorUrl": None}

    def asset(request: Request, name: str) -> str:
        return f"{request.scope.get('root_path', '')}{ASSETS_PATH}/{name}"

    @app.get(DOCS_PATH, include_in_schema=False)
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url=root + redirect_url,
            swagger_js_url=asset(request, SWAGGER_JS),
            swagger_css_url=asset(request, SWAGGER_CSS),
            swagger_favicon_url=asset(request, FAVICON),
            swagger_ui_parameters=parameters,
        )

    @app.get(redirect_url, include_in_schema=False)
    def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_PATH, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        page = get_redoc_html(
            openapi_url=request.scope.get("root_path", "") + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=asset(request, REDOC_JS),
            redoc_favicon_url=asset(request, FAVICON),
            with_google_fonts=False,
        )
        page.headers.update(REDOC_HEADERS)
        return page

    app.mount(ASSETS_PATH, StaticFiles(directory=folder), name="docs-assets")
