"""The trace viewer at /admin/, in a real browser (Debian's chromium driven by Playwright), against
the app on fake engines behind a real uvicorn, with a real SQLite audit store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.config import Settings
from app.main import create_app
from lab.background_server import BackgroundServer, free_port, start_background_server
from tests.browser import chromium, use_key
from tests.fakes import RIGHT, WRONG, FakeGenerator, fake_engines

ADMIN = "admin-key-of-the-viewer-test"
API_KEY = "sk-api-key-of-the-viewer-test"
# A chain a model could write: markup in its steps and in its answer. It must show as text.
HOSTILE = (
    '37+48=85\n<img src=x onerror="window.__pwned=1">\n<script>window.__pwned=2</script>\n'
    'A:<img src=y onerror="window.__pwned=3">'
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    port = free_port()
    settings = Settings(
        port=port,
        api_keys=[API_KEY],
        admin_keys=[ADMIN],
        data_dir=tmp_path_factory.mktemp("viewer-data"),
    )
    engines = fake_engines(FakeGenerator(chains=[RIGHT, HOSTILE, RIGHT, WRONG]))
    running = start_background_server(create_app(settings, engines=engines), port, ready_path="/health")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    opened = context.new_page()
    try:
        yield opened
    finally:
        context.close()


def solved(server: BackgroundServer, n: int = 4) -> dict[str, Any]:
    answer = httpx.post(
        f"{server.url}/solve",
        json={"problem": "((37+48)*3)-12", "n": n},
        headers={"Authorization": f"Bearer {API_KEY}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def records(server: BackgroundServer, **query: str) -> list[dict[str, Any]]:
    """Records by the JSON route (itself a recorded read), once the writer has stored them."""
    found = httpx.get(f"{server.url}/admin/traces", params=query, headers={"Authorization": f"Bearer {ADMIN}"})
    assert found.status_code == 200, found.text
    return found.json()["records"]  # type: ignore[no-any-return]


def stored(server: BackgroundServer, request_id: str) -> None:
    deadline = time.monotonic() + 10
    while not any(r["request_id"] == request_id for r in records(server, kind="solve")):
        assert time.monotonic() < deadline, "the answer never reached the audit store"
        time.sleep(0.1)


def opened(server: BackgroundServer, page: Page) -> dict[str, Any]:
    """A fresh answer, opened from the list as a reader would: its row, then its record."""
    answer = solved(server)
    stored(server, answer["request_id"])
    page.goto(f"{server.url}/admin/")
    use_key(page, ADMIN)
    page.click(f"text={answer['request_id']}")
    expect(page.locator(".chain")).to_have_count(answer["n"])
    return answer


def test_the_page_is_served_with_a_strict_policy_and_no_outside_asset(server: BackgroundServer) -> None:
    page = httpx.get(f"{server.url}/admin/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from outside the service
    for asset in ("viewer.js", "viewer.css"):
        served = httpx.get(f"{server.url}/admin/ui/{asset}")
        assert served.status_code == 200 and served.headers["x-content-type-options"] == "nosniff"
        assert "http://" not in served.text.replace("http://www.w3.org/2000/svg", "")
    assert httpx.get(f"{server.url}/admin/ui/index.py").status_code == 422  # only the two assets


def test_the_list_needs_an_admin_key(server: BackgroundServer, page: Page) -> None:
    answer = solved(server)
    stored(server, answer["request_id"])
    page.goto(f"{server.url}/admin/")
    expect(page.locator("#status")).to_contain_text("Type an admin key")
    expect(page.locator("#records tbody tr")).to_have_count(0)
    use_key(page, API_KEY)
    expect(page.locator("#status")).to_contain_text("403")
    use_key(page, "not-a-key-of-this-server")
    expect(page.locator("#status")).to_contain_text("401")
    expect(page.locator("#records tbody tr")).to_have_count(0)
    use_key(page, ADMIN)
    row = page.locator("#records tbody tr", has_text=answer["request_id"])
    expect(row).to_have_count(1)
    expect(row).to_contain_text(answer["answer"])
    assert page.evaluate("document.cookie") == "" and ADMIN not in page.url


def test_a_record_shows_its_chains_scores_vote_and_summary(server: BackgroundServer, page: Page) -> None:
    answer = opened(server, page)
    expect(page.locator(".chain.winner")).to_have_count(1)
    expect(page.locator(".summary-text")).to_have_text(answer["summary"])
    expect(page.locator("svg.votes rect")).to_have_count(len(answer["clusters"]))
    expect(page.locator(".chain-state")).to_contain_text("yes: the chain holds")
    colors = page.eval_on_selector_all(".chain.winner .step", "cells => cells.map(c => c.style.backgroundColor)")
    assert colors and all(c.startswith("rgb(") for c in colors)
    page.locator(".chain.winner .step").first.click()
    expect(page.locator(".step-detail pre")).to_have_text("37+48=85")


def test_chain_text_renders_as_text_and_runs_nothing(server: BackgroundServer, page: Page) -> None:
    opened(server, page)
    hostile = page.locator(".chain").nth(1)  # the fake generator's second chain
    steps = hostile.locator(".step")
    for i, text in enumerate(HOSTILE.split("\n")):
        steps.nth(i).click()
        expect(page.locator(".step-detail pre")).to_have_text(text)
    page.locator("svg.votes").scroll_into_view_if_needed()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#record img").count() == 0 and page.locator("#record script").count() == 0


def test_opening_a_record_is_a_recorded_read(server: BackgroundServer, page: Page) -> None:
    answer = solved(server)
    stored(server, answer["request_id"])
    reads = [r for r in records(server, kind="read") if r["request_id"] == answer["request_id"]]
    page.goto(f"{server.url}/admin/#trace/{answer['request_id']}")
    use_key(page, ADMIN)
    expect(page.locator(".chain")).to_have_count(answer["n"])
    after = [r for r in records(server, kind="read") if r["request_id"] == answer["request_id"]]
    assert len(after) == len(reads) + 1
