"""Browser journeys: Playwright driving Debian's Chromium against the live test server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests
# make around it are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1400, "height": 900}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Browser tests skipped: chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


def _context(browser: Any, request: pytest.FixtureRequest, device: dict[str, Any]) -> Iterator[Any]:
    """A browser context for one test. The desk's service worker runs only in tests marked `service_worker`:
    elsewhere its background fetches (saving "mine" ahead) could reach the live server after the test."""
    workers = "allow" if request.node.get_closest_marker("service_worker") else "block"
    context = browser.new_context(**device, service_workers=workers, locale="da-DK", timezone_id="Europe/Copenhagen")
    context.set_default_timeout(15_000)
    yield context
    # Leave the pages first, so their last requests (the handling-time beacon) reach the server
    # before the test database is emptied.
    pages = list(context.pages)
    for page in pages:
        page.goto("about:blank")
    if pages:
        pages[0].wait_for_timeout(500)
    context.close()


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from _context(browser, request, PHONE)


@pytest.fixture
def desktop(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    yield from _context(browser, request, DESKTOP)


def sign_in(page: Any, base_url: str, username: str, password: str = "test-password-123") -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def screenshot(page: Any, name: str) -> None:
    """Save a screenshot for the docs when ESM_SCREENSHOTS=1 (off in CI, which needs no new files)."""
    if os.environ.get("ESM_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
