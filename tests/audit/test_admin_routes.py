"""The audit store through the API, on fake engines: every answer is recorded with its key id; the
hidden chains are readable at /admin/traces only, with an admin key, and every read is recorded."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from tests.fakes import RIGHT, WRONG, FakeApp, FakeGenerator, fake_app, fake_engines

API_KEY = "user-key-0123456789abcdef"
OTHER_KEY = "other-key-0123456789abcdef"
ADMIN_KEY = "admin-key-0123456789abcdef"
CANARY = "CANARY-hidden-9b7e"
USER = {"Authorization": f"Bearer {API_KEY}"}
OTHER = {"Authorization": f"Bearer {OTHER_KEY}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def written(app: FastAPI, timeout_s: float = 10.0) -> None:
    """Wait until the audit writer has written what it was handed."""
    writer = app.state.api.audit
    deadline = time.monotonic() + timeout_s
    while not (writer.migrated and writer.pending == 0):
        assert time.monotonic() < deadline, "the audit writer did not catch up"
        time.sleep(0.02)


@pytest.fixture
def keyed(tmp_path: Any) -> Iterator[FakeApp]:
    canary_chains = [f"{CANARY}\n{RIGHT}", RIGHT, WRONG]
    engines = fake_engines(FakeGenerator(chains=canary_chains))
    with fake_app(
        engines, api_keys=[API_KEY, OTHER_KEY], admin_keys=ADMIN_KEY, trace_db=f"sqlite:///{tmp_path / 'a.db'}"
    ) as app:
        yield app


def trace_of(app: FakeApp, request_id: str) -> dict[str, Any]:
    written(app.app)
    r = app.client.get(f"/admin/traces/{request_id}", headers=ADMIN)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_admin_routes_refuse_calls_without_an_admin_key(keyed: FakeApp) -> None:
    for path in ("/admin/traces/abc", "/admin/traces"):
        none = keyed.client.get(path)
        assert none.status_code == 401 and none.headers["www-authenticate"] == "Bearer"
        assert none.json()["error"]["code"] == "invalid_api_key"
        user = keyed.client.get(path, headers=USER)
        assert user.status_code == 403 and "admin key" in user.json()["error"]["message"]
        wrong = keyed.client.get(path, headers={"Authorization": "Bearer not-a-key-at-all-000000"})
        assert wrong.status_code == 401
    assert keyed.client.get("/admin/traces/abc", headers=ADMIN).status_code == 404  # no such record: let in
    # An admin key reads records; it does not call the API.
    assert keyed.client.post("/solve", json={"problem": "1+2", "n": 2}, headers=ADMIN).status_code == 401


def test_with_no_admin_keys_nobody_reads_the_store(tmp_path: Any) -> None:
    with fake_app(api_keys=API_KEY, trace_db=f"sqlite:///{tmp_path / 'a.db'}") as app:
        assert app.client.get("/admin/traces", headers=USER).status_code == 403
        assert app.client.get("/admin/traces").status_code == 401
    with fake_app(admin_keys=ADMIN_KEY, trace_db="none") as app:  # and with no store, nothing to read
        r = app.client.get("/admin/traces", headers=ADMIN)
        assert r.status_code == 503 and r.json()["error"]["code"] == "store_unavailable"


def test_a_raw_chain_is_readable_at_the_admin_route_only(keyed: FakeApp) -> None:
    c = keyed.client
    ask = {"problem": "((37+48)*3)-12", "n": 3, "seed": 1}
    public = [c.post("/solve", json=ask, headers=USER), c.post("/solve", json=ask | {"stream": True}, headers=USER)]
    chat = {"model": "arith-generator", "messages": [{"role": "user", "content": "1+2"}]}
    public.append(c.post("/v1/chat/completions", json=chat, headers=USER))
    public.append(c.post("/v1/responses", json={"model": "arith-generator", "input": "1+2"}, headers=USER))
    for r in public:
        assert r.status_code == 200, r.text
        assert CANARY not in r.text
    written(keyed.app)
    listing = c.get("/admin/traces", params={"kind": "solve"}, headers=ADMIN)
    assert CANARY not in listing.text and len(listing.json()["records"]) == 4  # headers only
    trace = trace_of(keyed, public[0].json()["request_id"])
    (record,) = trace["records"]
    assert record["key_id"].startswith("key-") and API_KEY not in str(trace)
    chains = record["content"]["chains"]
    assert len(chains) == 3 and chains[0]["text"].startswith(CANARY)
    assert record["content"]["summary"] == public[0].json()["summary"]  # the exact summary shown
    assert record["content"]["answer"] == public[0].json()["answer"]
    assert all(len(ch["step_scores"]) == len(ch["steps"]) for ch in chains)
    assert record["content"]["usage"]["reasoning_tokens"] == public[0].json()["usage"]["reasoning_tokens"]


def test_every_admin_read_is_itself_recorded(keyed: FakeApp) -> None:
    rid = keyed.client.post("/solve", json={"problem": "1+2", "n": 2}, headers=USER).json()["request_id"]
    trace_of(keyed, rid)
    keyed.client.get("/admin/traces", params={"key_id": "key-nobody"}, headers=ADMIN)
    reads = keyed.client.get("/admin/traces", params={"kind": "read"}, headers=ADMIN).json()["records"]
    # newest first: this listing, the filtered one, the trace read
    assert [r["request_id"] for r in reads] == [None, None, rid]
    assert len({r["key_id"] for r in reads}) == 1 and reads[0]["key_id"].startswith("key-")


def test_store_false_keeps_only_metadata_and_hashes(keyed: FakeApp) -> None:
    r = keyed.client.post("/solve", json={"problem": "1+2", "n": 3, "store": False}, headers=USER)
    assert r.status_code == 200
    (record,) = trace_of(keyed, r.json()["request_id"])["records"]
    assert record["stored"] is False and CANARY not in str(record)
    content = record["content"]
    assert set(content["params"]["problem"]) == {"sha256"} and set(content["summary"]) == {"sha256"}
    assert content["usage"]["reasoning_tokens"] > 0 and content["chains"][0]["step_scores"]
    chat = {"model": "arith-generator", "messages": [{"role": "user", "content": "1+2"}], "store": False}
    r = keyed.client.post("/v1/chat/completions", json=chat, headers=USER)
    (record,) = trace_of(keyed, r.json()["id"].removeprefix("chatcmpl-"))["records"]
    assert record["stored"] is False


def test_a_continuation_is_recorded_and_only_the_key_that_asked_may_continue(keyed: FakeApp) -> None:
    rid = keyed.client.post("/solve", json={"problem": "1+2", "n": 2, "seed": 3}, headers=USER).json()["request_id"]
    other = keyed.client.post(f"/solve/{rid}/continue", json={}, headers=OTHER)
    assert other.status_code == 404  # another key's answer: as if unknown
    more = keyed.client.post(f"/solve/{rid}/continue", json={"budget": {"max_chains": 2}}, headers=USER)
    assert more.status_code == 200, more.text
    records = trace_of(keyed, rid)["records"]
    assert [r["content"]["continued"] for r in records] == [False, True]
    assert len(records[1]["content"]["chains"]) == 4  # the kept chains and the new ones


def test_the_trace_list_pages_and_filters_by_key(keyed: FakeApp) -> None:
    for headers in (USER, USER, OTHER):
        keyed.client.post("/solve", json={"problem": "1+2", "n": 2}, headers=headers)
    written(keyed.app)
    page = keyed.client.get("/admin/traces", params={"kind": "solve", "limit": 2}, headers=ADMIN).json()
    assert len(page["records"]) == 2 and page["next_before_seq"] is not None
    rest = keyed.client.get(
        "/admin/traces", params={"kind": "solve", "before_seq": page["next_before_seq"]}, headers=ADMIN
    ).json()
    assert len(rest["records"]) == 1 and rest["next_before_seq"] is None
    by_key = [r["key_id"] for r in page["records"] + rest["records"]]
    assert sorted(by_key.count(k) for k in set(by_key)) == [1, 2]
    one = keyed.client.get("/admin/traces", params={"key_id": by_key[0]}, headers=ADMIN).json()["records"]
    assert {r["key_id"] for r in one} == {by_key[0]}
    naive = keyed.client.get("/admin/traces", params={"since": "2026-01-01T00:00:00"}, headers=ADMIN)
    assert naive.status_code == 422 and "time zone" in naive.json()["error"]["message"]


def test_another_key_learns_nothing_of_an_expired_answer() -> None:
    with fake_app(api_keys=[API_KEY, OTHER_KEY], continue_ttl_s=0.2, trace_db="none") as app:
        rid = app.client.post("/solve", json={"problem": "1+2", "n": 2}, headers=USER).json()["request_id"]
        time.sleep(0.3)
        assert app.client.post(f"/solve/{rid}/continue", json={}, headers=OTHER).status_code == 404
        assert app.client.post(f"/solve/{rid}/continue", json={}, headers=USER).status_code == 410


def test_the_hash_key_setting_reaches_the_record(tmp_path: Any) -> None:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    with fake_app(admin_keys=ADMIN_KEY, trace_db=db, trace_hash_key="server-secret-0123456789") as app:
        rid = app.client.post("/solve", json={"problem": "1+2", "n": 2, "store": False}).json()["request_id"]
        (record,) = trace_of(app, rid)["records"]
        assert set(record["content"]["params"]["problem"]) == {"hmac_sha256"}


def test_the_list_glances_at_each_answer_and_the_chain_is_checked_up_to_a_record(keyed: FakeApp) -> None:
    solved = keyed.client.post("/solve", json={"problem": "((37+48)*3)-12", "n": 3}, headers=USER).json()
    hidden = keyed.client.post("/solve", json={"problem": "((37+48)*3)-12", "n": 3, "store": False}, headers=USER)
    written(keyed.app)
    listed = keyed.client.get("/admin/traces", params={"kind": "solve"}, headers=ADMIN).json()["records"]
    glance = {r["request_id"]: r for r in listed}
    mine = glance[solved["request_id"]]
    assert (mine["answer"], mine["verified"], mine["n"]) == (solved["answer"], solved["verified"], 3)
    assert mine["confidence"] == pytest.approx(solved["confidence"]) and mine["total_s"] > 0
    assert glance[hidden.json()["request_id"]]["answer"] is None  # only its digest was kept
    state = keyed.client.get("/admin/chain", params={"through_seq": mine["seq"]}, headers=ADMIN)
    assert state.status_code == 200 and state.json()["ok"] and state.json()["through_seq"] == mine["seq"]
    assert keyed.client.get("/admin/chain", params={"through_seq": 1}, headers=USER).status_code == 403


def test_a_record_number_past_64_bits_is_a_bad_request_not_a_store_failure(keyed: FakeApp) -> None:
    for path, name in (("/admin/traces", "before_seq"), ("/admin/chain", "through_seq")):
        answer = keyed.client.get(path, params={name: 2**70}, headers=ADMIN)
        assert answer.status_code == 422 and name in answer.text
