"""Schemathesis on an app with API keys (fake engines: the contract, not the engines, is under
test): generated requests on every route, with a valid key, an admin key, a wrong one and none, find no
5xx and no response off the spec (a refusal is the documented 401, or 403 for an API key on the
admin routes). The live engines' run without keys is
tests/e2e/test_schemathesis.py."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from app.config import Settings
from app.main import create_app
from tests.conftest import examples
from tests.fakes import fake_engines

KEY = "sk-fuzz-0123456789abcdef"
ADMIN_KEY = "sk-admin-fuzz-0123456789"
HEADERS = {
    "a valid key": {"Authorization": f"Bearer {KEY}"},
    "an admin key": {"Authorization": f"Bearer {ADMIN_KEY}"},
    "a wrong key": {"Authorization": "Bearer sk-fuzz-not-the-right-one"},
    "no key": {},
}
CASES_PER_OPERATION = examples(300)  # split among the ways of calling
MIN_CASES = examples(1000)
EXCLUDED = [positive_data_acceptance]  # a refused key is a schema-valid request answered 401, rightly


def fuzz(
    operation: schemathesis.APIOperation,
    label: str,
    who: str,
    headers: dict[str, str],
    cases: Counter[str],
    statuses: Counter[tuple[str, int]],
) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=CASES_PER_OPERATION // len(HEADERS),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        cases[label] += 1
        response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED)
        statuses[(who, response.status_code)] += 1
        if label == "GET /health":
            return
        admin_route = operation.path.startswith("/admin/")
        allowed = "an admin key" if admin_route else "a valid key"
        if who == "a valid key" and admin_route:
            assert response.status_code == 403  # an API key does not read the audit store
        elif who != allowed:
            assert response.status_code == 401

    check()


def test_generated_requests_with_and_without_keys_find_no_5xx_and_nothing_off_the_spec(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    settings = Settings(api_keys=[KEY], admin_keys=[ADMIN_KEY], trace_db=f"sqlite:///{tmp_path / 'audit.db'}")
    app = create_app(settings, engines=fake_engines())
    cases: Counter[str] = Counter()
    statuses: Counter[tuple[str, int]] = Counter()
    with TestClient(app):  # runs the lifespan: the fake engines are "loaded"
        schema = schemathesis.openapi.from_dict(app.openapi())
        schema.app = app
        for result in schema.get_all_operations():
            operation = result.ok()
            label = f"{operation.method.upper()} {operation.path}"
            for who, headers in HEADERS.items():
                fuzz(operation, label, who, headers, cases, statuses)
    assert sum(cases.values()) >= MIN_CASES, cases
    assert {"POST /solve", "POST /solve/{request_id}/continue", "POST /v1/chat/completions"} <= set(cases)
    assert {"GET /admin/traces", "GET /admin/traces/{request_id}"} <= set(cases)
    assert statuses[("a valid key", 200)] > 0 and statuses[("an admin key", 200)] > 0, statuses
