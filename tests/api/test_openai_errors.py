"""The /v1 routes speak OpenAI's error dialect (shape, 400 for invalid requests), the rest of the
API keeps its own envelope; checked while the engines load, so no engine is involved."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.engines.container import Engines
from app.main import create_app

CHAT = {"model": "arith-generator", "messages": [{"role": "user", "content": "1+2"}]}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    release = threading.Event()

    def loading(_: Settings) -> Engines:
        release.wait(60)
        raise RuntimeError("no engines in this test")

    with TestClient(create_app(Settings(), engine_factory=loading)) as c:
        yield c
        release.set()


def openai_error(r: object) -> dict[str, object]:
    body = r.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"message", "type", "param", "code"}
    return body["error"]  # type: ignore[no-any-return]


def test_models_lists_the_generator_even_while_loading(client: TestClient) -> None:
    r = client.get("/v1/models")
    assert r.status_code == 200 and [m["id"] for m in r.json()["data"]] == ["arith-generator"]


@pytest.mark.parametrize(
    ("patch", "status", "param"),
    [
        ({"model": "gpt-4o"}, 404, None),
        ({"n": 3}, 400, "n"),
        ({"stream": True, "n": 3}, 400, "n"),  # a streamed request is refused before its stream starts
        ({"temperature": 5}, 400, "temperature"),
        ({"messages": []}, 400, "messages"),
        ({"messages": [{"role": "system", "content": "hi"}]}, 400, None),
        ({"reasoning_effort": "extreme"}, 400, "reasoning_effort"),
        ({"max_completion_tokens": 5, "reasoning_effort": "high"}, 400, "max_completion_tokens"),
        ({"max_completion_tokens": 50, "max_tokens": 50}, 400, "max_tokens"),
    ],
)
def test_chat_errors_have_openais_shape(
    client: TestClient, patch: dict[str, object], status: int, param: str | None
) -> None:
    r = client.post("/v1/chat/completions", json=CHAT | patch)
    assert r.status_code == status, r.text
    error = openai_error(r)
    assert error["type"] == "invalid_request_error" and error["message"]
    if param is not None:
        assert error["param"] == param
    if status == 404:
        assert error["code"] == "model_not_found"


def test_a_valid_chat_request_waits_for_the_engines_with_a_503_in_openais_shape(client: TestClient) -> None:
    r = client.post("/v1/chat/completions", json=CHAT)
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert openai_error(r)["type"] == "server_error"


def test_responses_errors_have_openais_shape(client: TestClient) -> None:
    streamed = {"model": "arith-generator", "input": "1+2", "stream": True, "temperature": 9}
    r = client.post("/v1/responses", json=streamed)
    assert r.status_code == 400 and openai_error(r)["param"] == "temperature"
    r = client.post("/v1/responses", json={"model": "arith-generator", "input": [{"role": "system", "content": "x"}]})
    assert r.status_code == 400 and "no user message" in str(openai_error(r)["message"])
    r = client.post("/v1/responses", content=b"{", headers={"content-type": "application/json"})
    assert r.status_code == 400 and openai_error(r)["code"] == "malformed_json"


def test_the_native_api_keeps_its_own_envelope(client: TestClient) -> None:
    r = client.post("/solve", json={"problem": ""})
    assert r.status_code == 422 and set(r.json()["error"]) >= {"code", "message"}
