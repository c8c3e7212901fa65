"""The step-level searches through the routes (fake engines): `/solve` reports what the search
spent, the OpenAI routes take it as the server's strategy, and the settings are checked."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.config import Settings
from tests.api.test_openai_routes import chat
from tests.fakes import PROBLEM, RIGHT, UNFINISHED, WRONG, FakeApp, FakeGenerator, fake_app, fake_engines


@pytest.mark.parametrize("strategy", ["particle_filtering", "beam"])
def test_solve_reports_the_steps_of_a_step_level_search(strategy: str) -> None:
    with fake_app(fake_engines(FakeGenerator([WRONG, RIGHT]))) as app:
        r = app.client.post("/solve", json={"problem": PROBLEM, "strategy": strategy, "n": 8, "seed": 2})
    assert r.status_code == 200, r.text
    data = r.json()
    search = data["search"]
    assert data["answer"] == "243" and data["n"] == data["chain_counts"]["sampled"]
    assert search["steps"] == 4 and search["branches"] >= 4 and search["stop_reason"] == "max_chains"
    assert (search["resamplings"] == 3) == (strategy == "particle_filtering")
    assert search["reasoning_tokens"] == data["usage"]["reasoning_tokens"]


def test_a_step_level_search_cannot_select_by_the_outcome_model(fake: FakeApp) -> None:
    body = {"problem": PROBLEM, "strategy": "beam", "n": 4, "selection": "orm_max"}
    r = fake.client.post("/solve", json=body)
    assert r.status_code == 422 and "strategy 'beam'" in r.json()["error"]["message"]


def test_the_openai_routes_search_step_by_step_within_max_completion_tokens() -> None:
    gen = FakeGenerator([UNFINISHED + "\n255-12=243\nA:243"])
    body = chat(reasoning_effort="low", max_completion_tokens=60)
    with fake_app(fake_engines(gen), openai_strategy="particle_filtering") as app:
        r = app.client.post("/v1/chat/completions", json=body)
    assert r.status_code == 200, r.text
    # Over the total by at most the round that crossed it (4 particles, one step each).
    assert 60 <= r.json()["usage"]["completion_tokens"] <= 60 + 4 * len("255-12=243\n")
    assert gen.requests[0].n == 4


def test_the_settings_refuse_a_step_level_search_selected_by_the_outcome_model() -> None:
    with pytest.raises(ValidationError, match="orm_max"):
        Settings(openai_strategy="beam", default_selection="orm_max")
    assert Settings(step_search={"temperature": 0.5, "width": 2}).step_search.rules().beams(16) == 8


def test_metrics_count_the_rounds_and_requests_by_strategy() -> None:
    with fake_app(fake_engines(FakeGenerator([WRONG, RIGHT]))) as app:
        body = {"problem": PROBLEM, "strategy": "particle_filtering", "n": 8, "seed": 2}
        search = app.client.post("/solve", json=body).json()["search"]
        text = app.client.get("/metrics").text
    assert f'bon_search_steps_total{{strategy="particle_filtering"}} {float(search["steps"])}' in text
    assert f'bon_search_branches_total{{strategy="particle_filtering"}} {float(search["branches"])}' in text
