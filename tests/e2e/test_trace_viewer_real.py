"""The trace viewer on a real record: the shipped models, N=16 under the adaptive search, with a
chain it cut. The browser that checks it takes the README's screenshot (written to docs/ when
BON_SCREENSHOTS=1, else beside the test's files)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser import chromium, use_key
from tests.conftest import E2E_ADMIN_KEY, LiveServer

pytestmark = pytest.mark.e2e

DOCS = Path(__file__).resolve().parents[2] / "docs"
# Problems of the shipped task the search tends to cut a chain on (a wrong step scores low).
PROBLEMS = ["((37+48)*3)-12", "((91-17)*4)+56", "((68+29)*7)-45", "((52*3)-19)+77"]


def a_pruned_answer(server: LiveServer) -> dict[str, Any]:
    """A real answer whose search cut at least one chain (seeds tried in turn)."""
    with server.client() as client:
        for seed in range(40):
            body = {"problem": PROBLEMS[seed % len(PROBLEMS)], "n": 16, "strategy": "adaptive", "seed": seed}
            answer = client.post("/solve", json=body)
            assert answer.status_code == 200, answer.text
            if (answer.json().get("search") or {}).get("chains_pruned", 0) >= 1:
                return answer.json()  # type: ignore[no-any-return]
    pytest.fail("no answer of 40 had a chain cut")


def recorded(server: LiveServer, request_id: str) -> None:
    headers = {"Authorization": f"Bearer {E2E_ADMIN_KEY}"}
    deadline = time.monotonic() + 30
    while httpx.get(f"{server.url}/admin/traces/{request_id}", headers=headers).status_code != 200:
        assert time.monotonic() < deadline, "the answer never reached the audit store"
        time.sleep(0.2)


def test_a_real_record_with_a_cut_chain_in_the_viewer(live_server: LiveServer, tmp_path: Path) -> None:
    answer = a_pruned_answer(live_server)
    recorded(live_server, answer["request_id"])
    shot = DOCS / "trace-viewer.png" if os.environ.get("BON_SCREENSHOTS") == "1" else tmp_path / "trace-viewer.png"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/admin/#trace/{answer['request_id']}")
        use_key(page, E2E_ADMIN_KEY)
        expect(page.locator(".chain")).to_have_count(answer["search"]["chains_started"])
        expect(page.locator(".chain.pruned")).to_have_count(answer["search"]["chains_pruned"])
        expect(page.locator(".chain.winner")).to_have_count(1)
        expect(page.locator(".summary-text")).to_have_text(answer["summary"])
        expect(page.locator(".chain-state")).to_contain_text("yes: the chain holds")
        expect(page.locator(".chain.pruned .step.cut-at")).to_have_count(answer["search"]["chains_pruned"])
        page.locator(".chain.pruned .step.cut-at").first.click()
        expect(page.locator(".step-detail h4")).to_contain_text("the search cut the chain here")
        page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000
