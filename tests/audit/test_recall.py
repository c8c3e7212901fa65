"""Thinking longer survives a restart: an answer no process holds is rebuilt from the audit
store's records (the replica that answered may be gone, or another one), by its own key only."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from app.audit.recall import kept_search_of
from app.audit.record import GENESIS, Entry, Row, chain_row, solve_entry
from tests.audit.test_admin_routes import written
from tests.audit.test_record import outcome
from tests.fakes import fake_app

KEY = "user-key-0123456789abcdef"
OTHER = "other-key-0123456789abcdef"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_kept_search_is_rebuilt_from_its_record() -> None:
    solved = outcome()
    kept = kept_search_of([chain_row(solve_entry(solved, "key-a", stored=True), 1, GENESIS)])
    assert kept is not None
    assert kept.params == solved.params and kept.chains == tuple(solved.chains)
    assert kept.usage == solved.usage and kept.prunes == solved.prunes
    assert kept.owner == "key-a" and kept.continued == 0
    hashes_only = chain_row(solve_entry(outcome(stored=False), "key-a", stored=False), 1, GENESIS)
    assert kept_search_of([hashes_only]) is None  # nothing to vote again


def lineage(*entries: Entry) -> list[Row]:
    rows, prev = [], GENESIS
    for seq, entry in enumerate(entries, 1):
        rows.append(chain_row(entry, seq, prev))
        prev = rows[-1].hash
    return rows


def test_only_the_last_answer_under_a_reused_id_and_one_keys_records_are_rebuilt() -> None:
    mine = outcome()
    theirs = replace(mine, params=replace(mine.params, problem="2+2"))
    kept = kept_search_of(lineage(solve_entry(mine, "key-a", True), solve_entry(theirs, "key-b", True)))
    assert kept is not None and kept.owner == "key-b" and kept.params.problem == "2+2"
    mixed = lineage(solve_entry(mine, "key-a", True), solve_entry(mine, "key-b", True, continued=True))
    assert kept_search_of(mixed) is None  # a continuation by another key: not a record to trust
    grown = lineage(solve_entry(mine, "key-a", True), solve_entry(mine, "key-a", True, continued=True))
    assert (found := kept_search_of(grown)) is not None and found.continued == 1
    openai = lineage(solve_entry(mine, "key-a", True, continuable=False))
    assert kept_search_of(openai) is None  # the OpenAI routes' answers are not continued


def test_an_answer_given_before_a_restart_can_think_longer_after_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'audit.db'}"
    with fake_app(api_keys=[KEY, OTHER], trace_db=db) as before:
        first = before.client.post("/solve", json={"problem": "1+2", "n": 2, "seed": 5}, headers=bearer(KEY))
        hidden = before.client.post("/solve", json={"problem": "1+2", "n": 2, "store": False}, headers=bearer(KEY))
        written(before.app)
    rid = first.json()["request_id"]
    with fake_app(api_keys=[KEY, OTHER], trace_db=db) as after:  # a new process: nothing in memory
        assert after.client.post(f"/solve/{rid}/continue", json={}, headers=bearer(OTHER)).status_code == 404
        more = after.client.post(f"/solve/{rid}/continue", json={"budget": {"max_chains": 3}}, headers=bearer(KEY))
        assert more.status_code == 200, more.text
        assert more.json()["request_id"] == rid and more.json()["chain_counts"]["sampled"] == 5
        again = after.client.post(f"/solve/{rid}/continue", json={"budget": {"max_chains": 1}}, headers=bearer(KEY))
        assert again.json()["chain_counts"]["sampled"] == 6  # and now from memory
        unknown = after.client.post(f"/solve/{hidden.json()['request_id']}/continue", json={}, headers=bearer(KEY))
        assert unknown.status_code == 404  # recorded as hashes only: no chains to continue from


def test_an_old_record_is_expired_not_continued(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'audit.db'}"
    with fake_app(trace_db=db) as before:
        rid = before.client.post("/solve", json={"problem": "1+2", "n": 2}).json()["request_id"]
        written(before.app)
    time.sleep(0.3)
    with fake_app(trace_db=db, continue_ttl_s=0.2) as after:
        r = after.client.post(f"/solve/{rid}/continue", json={})
        assert r.status_code == 410 and r.json()["error"]["code"] == "request_expired"
