"""The API docs, `/docs` (Swagger UI) and `/redoc` (ReDoc), offline: their pages name only
files this server serves (from `fastapi-offline`, see api/docs.py), and in headless Chromium,
with every request beyond 127.0.0.1 refused (and recorded: none may be made), they render the
API's operations without script errors."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, expect
from pydantic import SecretStr

from api.app import create_app
from rag.settings import Settings
from tests.support.web import Server, open_tab

CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


class _Links(HTMLParser):
    """Every `src` and `href` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href") and value]


def linked(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


@pytest.fixture
def client(settings: Settings):
    return TestClient(create_app(settings))  # no lifespan: the docs need no model and no store


@pytest.mark.parametrize(("page", "kinds"), [("/docs", {".js", ".css", ".png"}), ("/redoc", {".js", ".png"})])
def test_docs_pages_link_only_files_served_here(client, page, kinds):
    response = client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "cdn" not in response.text.lower() and "fonts.googleapis" not in response.text
    urls = linked(response.text)
    assert {url[url.rfind("."):] for url in urls} == kinds, urls
    for url in urls:
        assert url.startswith("/docs/assets/") and "//" not in url, url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].startswith(CONTENT_TYPES[url[url.rfind("."):]]), (url, asset.headers["content-type"])
        assert len(asset.content) > 1000, url
    # The spec the page loads is this server's, and the validator badge (an outside call) is off.
    spec_url = re.search(r"""(?:url: |spec-url=)['"]([^'"]+)['"]""", response.text).group(1)
    assert spec_url == "/openapi.json" and client.get(spec_url).json()["info"]["title"] == "grounded-rag"
    if page == "/docs":
        assert '"validatorUrl": null' in response.text
    else:  # ReDoc's sidebar logo comes from Redocly's CDN: the page's policy keeps images on this server
        assert "img-src 'self' data:;" in response.headers["content-security-policy"]


def test_without_fastapi_offline_the_error_says_how_to_install_it(monkeypatch):
    import api.docs

    def absent(package: str):
        raise ModuleNotFoundError(f"No module named {package!r}")

    monkeypatch.setattr(api.docs, "files", absent)
    with pytest.raises(RuntimeError, match=r"fastapi-offline.*pip install -c requirements.lock -e \."):
        api.docs.assets_dir()


def test_oauth2_redirect_page_is_served(client):
    response = client.get("/docs/oauth2-redirect")
    assert response.status_code == 200 and "oauth2" in response.text.lower()


def test_docs_need_a_key_when_keys_are_set_like_the_openapi_document(settings: Settings):
    keyed = TestClient(create_app(settings.model_copy(update={"api_keys": SecretStr("s3cret-key")})))
    key = {"Authorization": "Bearer s3cret-key"}
    for path in ("/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect", "/docs/assets/swagger-ui-bundle.js"):
        assert keyed.get(path).status_code == 401, path
        assert keyed.get(path, headers=key).status_code == 200, path


@pytest.mark.slow
def test_swagger_ui_renders_the_operations_offline(browser: Browser, server: Server):
    tab = open_tab(browser, server.url)  # refuses (and records) every request beyond the server
    try:
        tab.page.goto(server.url + "/docs")
        ask = tab.page.locator(".opblock", has=tab.page.locator(".opblock-summary-path[data-path='/v1/ask']"))
        expect(ask).to_be_visible(timeout=30_000)
        expect(tab.page.locator(".opblock-summary-path[data-path='/v1/models']")).to_be_visible()
        ask.locator(".opblock-summary").click()  # expands: the request body's schema renders
        expect(ask.locator(".opblock-body")).to_be_visible()
        assert tab.page.evaluate("() => getComputedStyle(document.querySelector('.opblock')).borderStyle") == "solid"  # the CSS loaded
    finally:
        tab.page.context.close()
    assert tab.elsewhere() == [], "requests left 127.0.0.1"
    assert tab.errors == [], "the page reported errors"


@pytest.mark.slow
def test_redoc_renders_the_operations_offline(browser: Browser, server: Server):
    tab = open_tab(browser, server.url)
    refused: list[str] = []  # by the page's own Content-Security-Policy: never sent
    tab.page.context.on("requestfailed", lambda request: refused.append(request.url) if request.failure == "csp" else None)
    try:
        tab.page.goto(server.url + "/redoc")
        expect(tab.page.get_by_role("heading", name="Answer a question with cited passages")).to_be_visible(timeout=30_000)
        expect(tab.page.get_by_text("API docs by Redocly")).to_be_visible()
        # ReDoc always shows Redocly's logo from their CDN: the policy refuses it, and it hides itself.
        tab.page.wait_for_function("() => !document.querySelector(\"img[alt='redocly logo']\")")
    finally:
        tab.page.context.close()
    assert refused == [REDOC_LOGO]
    assert [url for url in tab.elsewhere() if url not in refused] == [], "requests left 127.0.0.1"
    assert [error for error in tab.errors if REDOC_LOGO not in error] == [], "the page reported errors"
