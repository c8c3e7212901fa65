"""What a calibrated confidence, and a low one, look like on every route (fake engines)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.confidence import Calibration, confidence_features
from app.core.select import ScoredChain, select
from tests.fakes import PROBLEM, FakeGenerator, fake_app, fake_engines

COEFFICIENTS = {"logit_winner_score": 0.3, "log_votes": 0.5, "logit_share": 0.2, "out_of_domain": -8.0}
CALIBRATION = {
    "fitted_on": "a test",
    "confidence": {
        "coefficients": COEFFICIENTS,
        "intercept": -1.0,
        "selection": "prm_weighted_vote",
        "aggregation": "min",
        "checkers": ["numeric", "arith"],  # what the fake's format (the shipped task's) checks with
    },
}
OUT_OF_DOMAIN = "((37+48)*3)-(12+5)"  # a parenthesised right operand: not the task's grammar


@pytest.fixture
def calibration(tmp_path: Path) -> Path:
    path = tmp_path / "bon_calibration.json"
    path.write_text(json.dumps(CALIBRATION))
    return path


def expected(ballots: list[ScoredChain], in_domain: bool = True, failed: list[bool] | None = None) -> float:
    result = select(ballots, "prm_weighted_vote")
    features = confidence_features(ballots, result, in_domain, failed)
    assert features is not None
    return Calibration(COEFFICIENTS, -1.0, "prm_weighted_vote", "min").probability(features)


def test_solve_answers_the_calibrated_probability_and_whether_it_is_verified(calibration: Path) -> None:
    with fake_app(calibration=calibration, verified_threshold=0.5) as app:
        data = app.client.post("/solve", json={"problem": PROBLEM, "n": 3}).json()
    # The fake PRM scores a right step 0.95, a right answer line 0.9 and a wrong step 0.05 (min aggregation),
    # which the calculator's veto caps at 0.
    ballots = [ScoredChain("243", 0.9, None), ScoredChain("243", 0.9, None), ScoredChain("233", 0.0, None)]
    assert data["calibrated"] is True
    assert data["confidence"] == pytest.approx(expected(ballots, failed=[False, False, True]))
    assert data["verified"] is (data["confidence"] >= 0.5)


def test_a_problem_outside_the_domain_is_answered_but_not_verified(calibration: Path) -> None:
    gen = FakeGenerator()
    with fake_app(fake_engines(gen), calibration=calibration, verified_threshold=0.5) as app:
        solved = app.client.post("/solve", json={"problem": OUT_OF_DOMAIN, "n": 3}).json()
        chat = app.client.post(
            "/v1/chat/completions",
            json={"model": "arith-generator", "messages": [{"role": "user", "content": OUT_OF_DOMAIN}]},
        ).json()
        response = app.client.post("/v1/responses", json={"model": "arith-generator", "input": OUT_OF_DOMAIN}).json()
    assert solved["answer"] is not None and solved["verified"] is False and solved["confidence"] < 0.05
    # Chat completions: the answer is the message; the verification's extra field says it is a guess.
    assert chat["choices"][0]["message"]["content"]
    assert chat["verification"]["verified"] is False and chat["verification"]["calibrated"] is True
    # Responses: OpenAI's string metadata carries it.
    assert response["metadata"]["bon_verified"] == "false" and response["metadata"]["bon_calibrated"] == "true"
    assert float(response["metadata"]["bon_confidence"]) < 0.05


def test_a_confident_answer_is_verified_on_every_route(calibration: Path) -> None:
    gen = FakeGenerator(chains=["37+48=85\n85*3=255\n255-12=243\nA:243"])
    with fake_app(fake_engines(gen), calibration=calibration, verified_threshold=0.5) as app:
        solved = app.client.post("/solve", json={"problem": PROBLEM, "n": 8}).json()
        chat = app.client.post(
            "/v1/chat/completions",
            json={"model": "arith-generator", "messages": [{"role": "user", "content": PROBLEM}]},
        ).json()
        response = app.client.post("/v1/responses", json={"model": "arith-generator", "input": PROBLEM}).json()
    assert solved["verified"] is True and solved["confidence"] == pytest.approx(
        expected([ScoredChain("243", 0.9, None)] * 8)
    )
    assert chat["verification"]["verified"] is True
    assert response["metadata"]["bon_verified"] == "true"


def test_a_calibration_fitted_under_other_checkers_does_not_apply(calibration: Path) -> None:
    """Capped scores are not distributed as uncapped ones: the fit under numeric and arith says
    nothing of an answer checked by fewer, and the confidence falls back to the vote share."""
    with fake_app(calibration=calibration, verified_threshold=0.5) as app:
        unchecked = app.client.post("/solve", json={"problem": PROBLEM, "n": 3, "checks": "none"}).json()
        numeric = app.client.post("/solve", json={"problem": PROBLEM, "n": 3, "checks": ["numeric"]}).json()
        both = app.client.post("/solve", json={"problem": PROBLEM, "n": 3, "checks": ["arith", "numeric"]}).json()
    assert unchecked["calibrated"] is False and unchecked["checks"] is None and unchecked["step_checks"] == []
    assert numeric["calibrated"] is False and [c["name"] for c in numeric["checks"]["checkers"]] == ["numeric"]
    assert both["calibrated"] is True  # the same set, in any order
