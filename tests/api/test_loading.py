"""While the engines load, the process answers /health, and /ready and /solve say 503 clearly."""

from __future__ import annotations

import threading

from fastapi.testclient import TestClient

from app.config import Settings
from app.engines.container import Engines
from app.main import create_app
from tests.fakes import PROBLEM, FakeGenerator, fake_engines


def test_health_answers_and_solve_is_503_while_engines_load() -> None:
    release = threading.Event()

    def slow_factory(_: Settings) -> Engines:
        release.wait(30)
        raise RuntimeError("no engines in this test")

    with TestClient(create_app(Settings(), engine_factory=slow_factory)) as client:
        assert client.get("/health").json() == {"status": "ok"}
        ready = client.get("/ready")
        assert ready.status_code == 503 and ready.json()["status"] == "loading"
        r = client.post("/solve", json={"problem": "1+2"})
        assert r.status_code == 503 and r.headers["retry-after"] == "1"
        assert r.json()["error"]["code"] == "not_ready" and "loading" in r.json()["error"]["message"]
        release.set()


def test_failed_engines_are_reported() -> None:
    def broken(_: Settings) -> Engines:
        raise RuntimeError("model directory not found")

    with TestClient(create_app(Settings(), engine_factory=broken)) as client:
        for _ in range(100):
            ready = client.get("/ready")
            if ready.json()["status"] == "failed":
                break
            threading.Event().wait(0.05)
        assert ready.status_code == 503 and "model directory not found" in ready.json()["detail"]
        r = client.post("/solve", json={"problem": "1+2"})
        assert r.status_code == 424 and r.json()["error"]["code"] == "engine_error"


def test_request_id_is_echoed_and_errors_carry_it() -> None:
    with TestClient(create_app(Settings(), engine_factory=lambda _: (_ for _ in ()).throw(RuntimeError()))) as client:
        r = client.post("/solve", json={"problem": ""}, headers={"x-request-id": "abc123"})
        assert r.headers["x-request-id"] == "abc123"
        assert r.status_code == 422 and r.json()["error"]["request_id"] == "abc123"


def test_engines_the_app_loads_serve_once_ready_and_are_closed_when_it_stops() -> None:
    gen = FakeGenerator()
    with TestClient(create_app(Settings(), engine_factory=lambda _: fake_engines(gen))) as client:
        for _ in range(200):
            if client.get("/ready").status_code == 200:
                break
            threading.Event().wait(0.01)
        r = client.post("/solve", json={"problem": PROBLEM, "n": 2})
        assert r.status_code == 200 and r.json()["answer"] == "243"
        assert not gen.closed
    assert gen.closed
