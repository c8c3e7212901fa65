"""A real browser for the UI tests: Debian's chromium, driven by Playwright (`make install`
installs both; Playwright's own browser downloads are not used)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@contextmanager
def chromium() -> Iterator[Browser]:
    assert CHROMIUM, "chromium is missing: `make install` installs Debian's"
    with sync_playwright() as playwright:
        # As root (CI containers), chromium's own sandbox cannot start; the pages are our own.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


def use_key(page: Page, key: str) -> None:
    """Type a key into the trace viewer, as a reader would."""
    page.fill("#key", key)
    page.click("#key-form button")
