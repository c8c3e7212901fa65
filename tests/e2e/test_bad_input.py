"""Bad input that only the real engines can judge (token counts of the real tokenizer, the real
model's context) gets a clear 4xx, and the service keeps serving. The whole 4xx matrix runs on
fake engines in tests/api/test_solve_route.py."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.e2e

LONG_PROBLEM = "+".join(["12"] * 60)  # ~180 prompt tokens: more than the context leaves


@pytest.mark.parametrize(
    ("body", "code", "needle"),
    [
        ({"problem": LONG_PROBLEM}, "problem_too_long", "tokens"),
        ({"problem": "1+2", "max_tokens": 5000}, "invalid_request", "context of 256"),
    ],
)
def test_what_the_engines_cannot_take_is_a_422(live_server: LiveServer, body: object, code: str, needle: str) -> None:
    with live_server.client() as c:
        r = c.post("/solve", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == code and needle in error["message"] and error["request_id"]


def test_service_keeps_serving_after_bad_input(live_server: LiveServer) -> None:
    with live_server.client() as c:
        for body in [{"problem": ""}, {"problem": "1+2", "n": 10_000}, {"problem": LONG_PROBLEM}]:
            assert c.post("/solve", json=body).status_code == 422
        r = c.post("/solve", json={"problem": "((37+48)*3)-12", "n": 16, "seed": 1})
    assert r.status_code == 200 and r.json()["answer"] == "243"
