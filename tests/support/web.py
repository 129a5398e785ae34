"""What the browser tests share: `rag serve`'s settings for a test server, the server they
run against, and browser tabs in headless Chromium that may only talk to 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from rag.settings import Settings
from tests.support.paths import REPO

# What the browser tests write (screenshots, the first-answer timings): into docs/ only when
# asked (UPDATE_DOCS=1), so that a test run leaves the checkout as it was.
OUTPUT = REPO / "docs" if os.environ.get("UPDATE_DOCS") == "1" else REPO / "bench" / "results" / "web"
SCREENSHOTS = OUTPUT / "screenshots"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("the browser tests need Chromium: `apt-get install -y chromium` (.ci/run installs it)")
    return found


def web_settings(data_dir: Path, model_cache: Path, **api: object) -> Settings:
    """`rag serve`'s defaults (the `auto` embedding backend: the int8 model), rate limits off
    unless given (tests/security tests them), in `data_dir`."""
    with pytest.MonkeyPatch.context() as env:  # built before the per-test fixture that drops the caller's RAG_*
        for name in [name for name in os.environ if name.startswith("RAG_")]:
            env.delenv(name)
        settings = Settings(data_dir=data_dir, chroma_url=None, collection="default", index={"model_cache_dir": model_cache})
    return settings.model_copy(update={"api": settings.api.model_copy(update={"rate_limit_per_minute": 0, **api})})


@dataclass
class Server:
    url: str
    settings: Settings
    http: httpx.Client = field(repr=False)


@dataclass
class Tab:
    """A page and what it did: every request it made, script errors, dialogs it opened."""

    page: Page
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def elsewhere(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(self.origin + "/")]


def open_tab(browser: Browser, origin: str, viewport: dict[str, int] = DESKTOP, accept_dialogs: bool = False) -> Tab:
    context = browser.new_context(viewport=viewport)
    tab = Tab(context.new_page(), origin)
    context.on("request", lambda request: tab.requests.append(request.url))
    # Nothing may leave 127.0.0.1: anything else is recorded above and refused here.
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin + "/") else route.abort())
    tab.page.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.page.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)

    def on_dialog(dialog) -> None:
        tab.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.accept() if accept_dialogs else dialog.dismiss()

    tab.page.on("dialog", on_dialog)
    return tab


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
