"""Checked steps on the real engines, in both deployments: on a problem whose running value goes
below zero (the shipped generator cannot write a negative number and makes one up), the checkers
veto the chains the PRM half-approves; the heavy checker runs where the deployment puts it (a
process pool here, the worker's `/check` in the split deployment); the audit record keeps every
verdict, with its claim only where texts are kept."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer
from tests.e2e.test_step_search import record, solve

NEGATIVE = "((37-82)*3)+10"


def test_checks_veto_what_the_prm_half_approves_in_both_deployments(deployed: LiveServer) -> None:
    body: dict[str, Any] = {"problem": NEGATIVE, "n": 16, "seed": 11}
    unchecked, _ = solve(deployed, body | {"checks": "none"}, False)
    checked, progress = solve(deployed, body | {"checks": ["numeric", "arith", "latex"]}, True)
    checks = checked["checks"]
    assert unchecked["checks"] is None and unchecked["step_checks"] == []
    assert [c["name"] for c in checks["checkers"]] == ["numeric", "arith", "latex"]
    assert checks["steps_checked"] == checks["steps_passed"] + checks["steps_failed"] + checks["steps_none"] > 0
    assert checks["chains_vetoed"] >= 1 and checks["steps_failed"] >= checks["chains_vetoed"]
    assert progress[-1]["chains_vetoed"] == checks["chains_vetoed"]
    assert len(checked["step_checks"]) == len(checked["step_scores"])
    assert sum(c["vetoed"] for c in checked["clusters"]) <= checks["chains_vetoed"]
    # The same seed decodes the same chains: checks change the scores, never the sampling.
    assert checked["usage"]["reasoning_tokens"] == unchecked["usage"]["reasoning_tokens"]
    if checked["verified"]:  # a verified answer here must be the right one
        assert checked["answer"] == "-125"


def test_the_audit_record_keeps_each_verdict_and_hides_claims_under_store_false(live_server: LiveServer) -> None:
    body: dict[str, Any] = {"problem": NEGATIVE, "n": 8, "seed": 4, "checks": ["numeric", "arith"]}
    kept, _ = solve(live_server, body, False)
    hidden, _ = solve(live_server, body | {"store": False}, False)
    kept_record, hidden_record = record(live_server, kept["request_id"]), record(live_server, hidden["request_id"])
    assert kept_record["checks"]["steps_failed"] == kept["checks"]["steps_failed"]
    checks = [c for chain in kept_record["chains"] for c in chain["step_checks"]]
    failed = [c for c in checks if c["verdict"] == "fail"]
    assert failed and all(isinstance(c["claim"], str) and "=" in c["claim"] and c["elapsed_ms"] >= 0 for c in failed)
    assert all(c["checker"] in ("numeric", "arith") for c in failed)
    hidden_checks = [c for chain in hidden_record["chains"] for c in chain["step_checks"]]
    assert [c["verdict"] for c in hidden_checks] == [c["verdict"] for c in checks]  # the same seed, the same steps
    assert all(c["claim"] is None or set(c["claim"]) <= {"sha256", "hmac_sha256"} for c in hidden_checks)
