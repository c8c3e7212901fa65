"""Readiness and metrics on fake engines: /ready asks every engine each time, and says which one
failed; /metrics counts requests, stages, chains and tokens."""

from __future__ import annotations

from app.errors import EngineUnavailable
from tests.fakes import PROBLEM, RIGHT, WRONG, ArithmeticScorer, FakeApp, FakeGenerator, fake_app, fake_engines


def test_ready_names_every_engine(fake: FakeApp) -> None:
    r = fake.client.get("/ready")
    assert r.status_code == 200
    assert r.json() == {
        "status": "ready",
        "engines": {"generator": "ready", "reward": "ready", "outcome_reward": "ready"},
        "audit": "ok",
    }


def test_without_an_outcome_model_ready_lists_two_engines_and_orm_max_is_refused() -> None:
    with fake_app(fake_engines(with_orm=False)) as app:
        assert app.client.get("/ready").json()["engines"] == {"generator": "ready", "reward": "ready"}
        r = app.client.post("/solve", json={"problem": PROBLEM, "n": 2, "selection": "orm_max"})
    assert r.status_code == 422 and "outcome reward model" in r.json()["error"]["message"]


def test_an_engine_that_stops_answering_makes_ready_503_and_recovers() -> None:
    engines = fake_engines()
    scorer = engines.scorer
    assert isinstance(scorer, ArithmeticScorer)
    with fake_app(engines) as app:
        scorer.failure = EngineUnavailable("reward", "cannot reach http://reward:8001/ready")
        r = app.client.get("/ready")
        assert r.status_code == 503 and r.headers.get("retry-after") is None
        assert r.json()["engines"]["reward"] == "unavailable" and "reward: cannot reach" in r.json()["detail"]
        scorer.failure = None
        assert app.client.get("/ready").status_code == 200


def test_engines_given_to_the_app_stay_open_after_it_stops() -> None:
    gen = FakeGenerator()
    with fake_app(fake_engines(gen)):
        pass
    assert not gen.closed


def test_metrics_count_requests_stages_chains_and_tokens(fake: FakeApp) -> None:
    fake.client.post("/solve", json={"problem": PROBLEM, "n": 3})
    fake.client.post("/solve", json={"problem": ""})
    text = fake.client.get("/metrics").text
    assert 'handler="/solve"' in text and 'status="200"' in text and 'status="422"' in text
    for stage in ("generate", "score", "select"):
        assert f'bon_stage_seconds_count{{stage="{stage}"}} 1.0' in text
    assert "bon_chains_sampled_total 3.0" in text and "bon_tokens_generated_total" in text
    assert "bon_tokens_scored_total" in text


def test_metrics_count_the_searchs_cuts_and_stops_and_refusals_by_reason() -> None:
    key = "sk-metrics-test-0123456789"
    headers = {"Authorization": f"Bearer {key}"}
    wrong_first = FakeGenerator(chains=[WRONG, WRONG, RIGHT, RIGHT])
    with fake_app(fake_engines(wrong_first), api_keys=[key], rate_limit_requests_per_minute=1) as fake:
        # No step checks: the PRM's own low scores do the pruning here (a veto would cut the same chains).
        body = {"problem": PROBLEM, "n": 8, "strategy": "adaptive", "seed": 1, "checks": "none"}
        search = fake.client.post("/solve", json=body, headers=headers).json()["search"]
        refused = fake.client.post("/solve", json=body, headers=headers)
        text = fake.client.get("/metrics", headers=headers).text
    assert refused.status_code == 429 and 'bon_refused_total{reason="rate_requests"} 1.0' in text
    assert search["chains_pruned"] >= 1 and f"bon_chains_pruned_total {float(search['chains_pruned'])}" in text
    assert f'bon_search_stops_total{{reason="{search["stop_reason"]}"}} 1.0' in text
    assert "bon_admission_queued 0.0" in text and "bon_admission_wait_seconds_count 1.0" in text
