"""The web page in a real browser: `rag serve`'s app over real HTTP on 127.0.0.1 (uvicorn, the
demo corpus in embedded Chroma, the bundled model as `rag serve` loads it) and headless
Chromium from the system's `chromium` package, driven by Playwright."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from api.app import create_app
from index.commands import run_ingest
from tests.support.paths import SEEDS
from tests.support.servers import UvicornThread, wait_ready
from tests.support.web import Server, chromium_path, open_tab, web_settings


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, model_cache: Path):
    """One server for the browser tests, the demo corpus in its default collection."""
    settings = web_settings(tmp_path_factory.mktemp("web") / "data", model_cache)
    run_ingest(settings, [SEEDS])
    with UvicornThread(create_app(settings)) as running, httpx.Client(base_url=running.url, timeout=120) as http:
        wait_ready(running.url)
        yield Server(running.url, settings, http)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: Browser, server: Server):
    """A fresh browser tab (its own session storage) on the page; checked after the test."""
    opened = open_tab(browser, server.url, accept_dialogs=True)
    opened.page.goto(server.url + "/")
    yield opened
    context = opened.page.context
    context.close()
    assert opened.elsewhere() == [], "requests left 127.0.0.1"
    assert opened.errors == [], "the page reported errors"
