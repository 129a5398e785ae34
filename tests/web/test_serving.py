"""How the page is served (api/web.py): from the package, without a key but rate limited,
with a policy that keeps it on its own origin; and the package data a wheel carries."""

from __future__ import annotations

import re
import tomllib
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from api.app import create_app
from api.web import STATIC
from index.readers import SUPPORTED_SUFFIXES
from tests.support.paths import REPO

PAGE_FILES = ["/", "/static/app.css", "/static/icon.svg", "/static/js/main.js", "/static/js/source.js"]


def with_api(settings, keys: str = "", **api):
    return settings.model_copy(update={"api": settings.api.model_copy(update=api), "api_keys": SecretStr(keys)})


def test_the_page_and_its_files_are_served_with_their_types_and_policy(settings, hash_embedder):
    with TestClient(create_app(settings, hash_embedder)) as client:
        page = client.get("/")
        assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
        assert '<script type="module" src="/static/js/main.js">' in page.text
        policy = page.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert page.headers["x-content-type-options"] == "nosniff"
        assert client.head("/").status_code == 200
        script = client.get("/static/js/main.js")
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]
        assert client.get("/static/app.css").headers["content-type"].startswith("text/css")


@pytest.mark.parametrize("path", ["/static/nothing.js", "/static/", "/static/js", "/static/../web.py", "/static/%2e%2e/web.py", "/static/%00", "/static/" + "a" * 5000, "/index.html"])
def test_a_missing_file_is_a_404_in_the_error_shape(settings, hash_embedder, path):
    with TestClient(create_app(settings, hash_embedder)) as client:
        response = client.get(path)
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message"}


def test_with_keys_the_page_loads_without_one_and_the_api_still_needs_one(settings, hash_embedder):
    with TestClient(create_app(with_api(settings, keys="page-key-1234"), hash_embedder)) as client:
        for path in PAGE_FILES:
            assert client.get(path).status_code == 200, path
        assert client.get("/v1/collections").status_code == 401
        assert client.get("/v1/collections", headers={"Authorization": "Bearer page-key-1234"}).status_code == 200
        assert client.get("/docs").status_code == 401


def test_the_page_is_rate_limited_like_the_api(settings, hash_embedder):
    with TestClient(create_app(with_api(settings, rate_limit_per_minute=1, rate_limit_burst=3), hash_embedder)) as client:
        statuses = [client.get(path).status_code for path in ("/", "/static/app.css", "/static/js/main.js", "/")]
    assert statuses == [200, 200, 200, 429]


def test_the_page_is_not_part_of_the_api_schema(settings, hash_embedder):
    with TestClient(create_app(settings, hash_embedder)) as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "/" not in paths and not any(path.startswith("/static") for path in paths)


def test_the_package_data_carries_every_page_file():
    """A non-editable install gets api/static from pyproject's package-data patterns."""
    patterns = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["api"]
    package = STATIC.parent
    carried = {path for pattern in patterns for path in package.glob(pattern)}
    files = {path for path in STATIC.rglob("*") if path.is_file()}
    assert files and files <= carried, sorted(str(f.relative_to(package)) for f in files - carried)


class _Attributes(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def test_the_file_picker_offers_the_supported_types():
    parser = _Attributes()
    parser.feed((STATIC / "index.html").read_text())
    picker = next(attrs for tag, attrs in parser.found if attrs.get("id") == "file-input")
    assert picker["accept"].split(",") == list(SUPPORTED_SUFFIXES)
    hint = re.search(r'id="file-hint"[^>]*>([^<;]+)', (STATIC / "index.html").read_text()).group(1)
    assert hint.split() == list(SUPPORTED_SUFFIXES)


def test_the_page_loads_nothing_from_elsewhere():
    """Every src and href in the page is on its own origin (the browser tests also record
    every request the page makes)."""
    parser = _Attributes()
    parser.feed((STATIC / "index.html").read_text())
    links = [attrs.get("src") or attrs.get("href") for _, attrs in parser.found if attrs.get("src") or attrs.get("href")]
    assert links and all(link.startswith(("/", "#")) for link in links), links
    for path in STATIC.rglob("*.js"):
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", path.read_text()), path
    assert "@import" not in (STATIC / "app.css").read_text() and "url(" not in (STATIC / "app.css").read_text()
