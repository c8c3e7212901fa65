"""Every kind of bad input gets a clear 4xx in the one error envelope, and the service keeps serving."""

from __future__ import annotations

import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.e2e

LONG_PROBLEM = "+".join(["12"] * 60)  # ~180 prompt tokens: more than the context leaves

BAD_BODIES: list[tuple[str, object, int, str, str]] = [
    ("empty problem", {"problem": ""}, 422, "invalid_request", "problem"),
    ("whitespace problem", {"problem": "   \n\t "}, 422, "invalid_request", "empty"),
    ("missing problem", {"n": 4}, 422, "invalid_request", "problem"),
    ("n zero", {"problem": "1+2", "n": 0}, 422, "invalid_request", "n"),
    ("n above server max", {"problem": "1+2", "n": 65}, 422, "invalid_request", "limit of 64"),
    ("n not a number", {"problem": "1+2", "n": "many"}, 422, "invalid_request", "n"),
    ("unknown aggregation", {"problem": "1+2", "aggregation": "median"}, 422, "invalid_request", "aggregation"),
    ("unknown selection", {"problem": "1+2", "selection": "best"}, 422, "invalid_request", "selection"),
    ("temperature too high", {"problem": "1+2", "temperature": 5}, 422, "invalid_request", "temperature"),
    ("temperature negative", {"problem": "1+2", "temperature": -0.1}, 422, "invalid_request", "temperature"),
    ("max_tokens zero", {"problem": "1+2", "max_tokens": 0}, 422, "invalid_request", "max_tokens"),
    ("max_tokens beyond context", {"problem": "1+2", "max_tokens": 5000}, 422, "invalid_request", "context"),
    ("problem too long", {"problem": LONG_PROBLEM}, 422, "problem_too_long", "tokens"),
    ("unknown field", {"problem": "1+2", "temprature": 1}, 422, "invalid_request", "temprature"),
    ("body not an object", [1, 2], 422, "invalid_request", "body"),
]


def check_envelope(r_json: dict[str, object], code: str, needle: str) -> None:
    error = r_json["error"]
    assert isinstance(error, dict)
    assert error["code"] == code
    assert needle in error["message"], error["message"]
    assert error["request_id"]


@pytest.mark.parametrize(("name", "body", "status", "code", "needle"), BAD_BODIES, ids=[b[0] for b in BAD_BODIES])
def test_bad_body(live_server: LiveServer, name: str, body: object, status: int, code: str, needle: str) -> None:
    with live_server.client() as c:
        r = c.post("/solve", json=body)
    assert r.status_code == status, r.text
    check_envelope(r.json(), code, needle)


def test_malformed_json(live_server: LiveServer) -> None:
    with live_server.client() as c:
        r = c.post("/solve", content=b'{"problem": "1+2",', headers={"content-type": "application/json"})
    assert r.status_code == 422
    check_envelope(r.json(), "malformed_json", "not valid JSON")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_wrong_content_type(live_server: LiveServer, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    with live_server.client() as c:
        r = c.post("/solve", content=b'{"problem": "1+2"}', headers=headers)
    assert r.status_code == 415
    check_envelope(r.json(), "unsupported_media_type", "application/json")


def test_unknown_route_and_method(live_server: LiveServer) -> None:
    with live_server.client() as c:
        assert c.get("/nope").json()["error"]["code"] == "not_found"
        assert c.get("/solve").json()["error"]["code"] == "method_not_allowed"


def test_service_keeps_serving_after_bad_input(live_server: LiveServer) -> None:
    with live_server.client() as c:
        for body in [{"problem": ""}, {"problem": "1+2", "n": 10_000}]:
            assert c.post("/solve", json=body).status_code == 422
        r = c.post("/solve", json={"problem": "((37+48)*3)-12", "n": 16, "seed": 1})
    assert r.status_code == 200 and r.json()["answer"] == "243"
