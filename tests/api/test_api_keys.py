"""API keys on fake engines: every route but /health needs one, refused in the route's dialect,
rotated through the keys file without a restart, and never written to a log."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from app.config import Settings
from app.errors import ConfigurationError
from app.web.api_keys import ApiKeys, key_id
from tests.fakes import PROBLEM, fake_app

KEY = "sk-test-0123456789abcdef"
OTHER = "sk-test-fedcba9876543210"
CHAT = {"model": "arith-generator", "messages": [{"role": "user", "content": PROBLEM}]}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_without_a_key_every_route_but_health_is_refused_in_its_own_dialect() -> None:
    with fake_app(api_keys=[KEY]) as app:
        assert app.client.get("/health").status_code == 200
        for method, path, body in [
            ("GET", "/ready", None),
            ("GET", "/metrics", None),
            ("GET", "/openapi.json", None),
            ("POST", "/solve", {"problem": PROBLEM}),
            ("POST", "/solve/abc/continue", {}),
        ]:
            r = app.client.request(method, path, json=body)
            assert r.status_code == 401, path
            assert r.headers["www-authenticate"] == "Bearer" and r.headers["x-request-id"]
            assert r.json()["error"]["code"] == "invalid_api_key"
        for headers in ({}, bearer(OTHER), {"Authorization": KEY}, {"Authorization": f"Basic {KEY}"}):
            r = app.client.post("/v1/chat/completions", json=CHAT, headers=headers)
            assert r.status_code == 401
            error = r.json()["error"]  # OpenAI's shape, so its SDKs raise AuthenticationError
            assert set(error) == {"message", "type", "param", "code"} and error["code"] == "invalid_api_key"


def test_a_valid_key_is_served_on_every_route() -> None:
    with fake_app(api_keys=[OTHER, KEY]) as app:
        assert app.client.post("/solve", json={"problem": PROBLEM, "n": 2}, headers=bearer(KEY)).status_code == 200
        assert app.client.post("/v1/chat/completions", json=CHAT, headers=bearer(OTHER)).status_code == 200
        assert app.client.get("/ready", headers=bearer(KEY)).status_code == 200


def test_keys_in_a_file_rotate_without_a_restart(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text(f"# the team's keys\n{KEY}\n\n")
    with fake_app(api_keys_file=keys) as app:
        assert app.client.get("/ready", headers=bearer(KEY)).status_code == 200
        assert app.client.get("/ready", headers=bearer(OTHER)).status_code == 401
        keys.write_text(f"{OTHER}\n")
        os.utime(keys, (1, 1))  # a new modification time even within the clock's resolution
        assert app.client.get("/ready", headers=bearer(OTHER)).status_code == 200
        assert app.client.get("/ready", headers=bearer(KEY)).status_code == 401
        keys.write_text(f"{OTHER}\nshort-key\n")  # a weak key added later is refused, the others hold
        os.utime(keys, (2, 2))
        assert app.client.get("/ready", headers=bearer("short-key")).status_code == 401
        assert app.client.get("/ready", headers=bearer(OTHER)).status_code == 200


def test_a_key_is_never_logged_but_its_id_is(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    with fake_app(api_keys=[KEY]) as app:
        app.client.post("/solve", json={"problem": PROBLEM, "n": 2}, headers=bearer(KEY))
        app.client.post("/solve", json={"problem": PROBLEM, "n": 2}, headers=bearer(KEY[:-1] + "X"))
    logged = "\n".join(f"{r.getMessage()} {getattr(r, 'key_id', '')}" for r in caplog.records)
    assert KEY not in logged and KEY[:-1] not in logged
    assert key_id(KEY) in logged


def test_keys_come_as_a_list_or_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BON_API_KEYS", f"{KEY}, {OTHER}")
    assert Settings().api_keys == [KEY, OTHER]
    monkeypatch.setenv("BON_API_KEYS", f'["{KEY}"]')
    assert Settings().api_keys == [KEY]


def test_a_short_key_or_a_missing_file_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="16 characters"):
        ApiKeys.of(["short"], None)
    with pytest.raises(ConfigurationError, match="cannot be read"):
        ApiKeys.of([], tmp_path / "missing")


def test_without_keys_the_api_stays_open_and_warns_off_loopback(caplog: pytest.LogCaptureFixture) -> None:
    with fake_app() as app:
        assert app.client.post("/solve", json={"problem": PROBLEM, "n": 2}).status_code == 200
    assert "NO API KEYS" not in caplog.text
    with fake_app(host="0.0.0.0"):
        pass
    assert "NO API KEYS" in caplog.text


def test_a_keys_limits_are_429_with_retry_after_and_openais_headers() -> None:
    with fake_app(api_keys=[KEY, OTHER], rate_limit_requests_per_minute=2) as app:
        ok = app.client.post("/solve", json={"problem": PROBLEM, "n": 2}, headers=bearer(KEY))
        assert ok.status_code == 200 and ok.headers["x-ratelimit-limit-requests"] == "2"
        assert ok.headers["x-ratelimit-remaining-requests"] == "1"
        assert app.client.post("/v1/chat/completions", json=CHAT, headers=bearer(KEY)).status_code == 200
        refused = app.client.post("/v1/chat/completions", json=CHAT, headers=bearer(KEY))
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 29
        assert refused.json()["error"]["type"] == "rate_limit_error"  # OpenAI's, so its SDKs back off
        assert refused.headers["x-ratelimit-remaining-requests"] == "0"
        # The other key is not held back by this one's use.
        assert app.client.post("/solve", json={"problem": PROBLEM, "n": 2}, headers=bearer(OTHER)).status_code == 200
