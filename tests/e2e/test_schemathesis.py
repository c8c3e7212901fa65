"""Schemathesis against the live app's own spec: generated requests on every route find no 5xx
and no response that violates the spec (status, content type, headers, body schema).

Driven through schemathesis's Python API (one Hypothesis run per operation) rather than its
pytest plugin, whose lazy-fixture loader does not run under pytest 9."""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import LiveServer

pytestmark = pytest.mark.e2e

MIN_CASES = 500
CASES_PER_OPERATION = 175  # three POST routes carry the bulk; the GET routes have few distinct cases
# Some limits are the server's settings, not the spec's: n above BON_MAX_N, max_tokens beyond the
# model's context, a problem too long in tokens. Such a request is schema-valid and answered with
# the documented 422, which is right, so "schema-valid data must be accepted" is not checked.
# Every other check runs: no 5xx, documented status codes, content types, headers, body schemas.
EXCLUDED = [positive_data_acceptance]


def fuzz(operation: schemathesis.APIOperation, cases: Counter[str]) -> None:
    """One Hypothesis run over the operation's generated requests."""
    label = f"{operation.method.upper()} {operation.path}"

    @given(case=operation.as_strategy())
    @settings(
        max_examples=CASES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case) -> None:
        cases[label] += 1
        case.call_and_validate(timeout=300, excluded_checks=EXCLUDED)

    check()


def test_generated_requests_find_no_5xx_and_no_response_off_the_spec(live_server: LiveServer) -> None:
    schema = schemathesis.openapi.from_url(f"{live_server.url}/openapi.json")
    cases: Counter[str] = Counter()
    for result in schema.get_all_operations():
        fuzz(result.ok(), cases)
    assert sum(cases.values()) >= MIN_CASES, cases
    assert {"POST /solve", "POST /v1/chat/completions", "POST /v1/responses", "GET /v1/models"} <= set(cases), cases
