"""POST /solve/{request_id}/context on fake engines: a note added while a streamed request runs
reaches its running chains at their next step boundary and changes the answer; the chains that
did not read it are set aside; the progress events say so; only the key that asked may add one;
an answered request is continued with the note instead."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.formats.spec import GeneratorFormat
from tests.api.test_api_keys import KEY, OTHER, bearer
from tests.api.test_streaming import sse
from tests.audit.test_admin_routes import written
from tests.fakes import FORMAT, PROBLEM, RIGHT, FakeApp, FakeGenerator, fake_app, fake_engines

NOTE = "85*3=300"
NOTED = "37+48=85\n85*3=300\n300-12=288\nA:288"  # how a chain goes on after the note
SHORT = "A:24"  # a quick guess: one delta, and it has ended before the note comes


def generator() -> FakeGenerator:
    """A fifth of a second a delta: the note, posted when the quick guesses have ended, comes
    before the other chains' first step boundary (their third delta)."""
    return FakeGenerator(chains=[RIGHT, SHORT], continuations=[NOTED], pace=0.2)


def events_of(lines: Iterator[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    event = ""
    for line in lines:
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            yield event, json.loads(line.split(":", 1)[1])


def stream_with_a_note(
    fake: FakeApp, body: dict[str, Any], note_key: str | None = None, key: str | None = None
) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
    """A streamed solve, and a note posted (by `note_key`) once a chain has ended."""
    headers = bearer(key) if key else {}
    note_headers = bearer(note_key or key) if (note_key or key) else {}
    with fake.client.stream("POST", "/solve", json=body | {"stream": True}, headers=headers) as r:
        request_id = r.headers["x-request-id"]
        events = events_of(r.iter_lines())
        before = []
        while not before or before[-1][1].get("chains_finished", 0) == 0:
            before.append(next(events))
        added = fake.client.post(f"/solve/{request_id}/context", json={"context": NOTE}, headers=note_headers)
        rest = list(events)
    if added.status_code == 202:  # the quick guesses have ended: two chains are left to read it
        assert added.json() == {"request_id": request_id, "notes": 1, "chains_running": 2}
    return added.status_code, [*before, *rest]


def test_a_note_added_mid_stream_reaches_the_running_chains_and_changes_the_answer() -> None:
    with fake_app(fake_engines(generator())) as fake:
        status, events = stream_with_a_note(fake, {"problem": PROBLEM, "n": 4, "seed": 1})
    assert status == 202
    result = events[-1][1]
    assert result["answer"] == "288"  # without the note: 243 (the quick guesses' 24 weighs less)
    assert result["context"] == {"notes": 1, "chains_reached": 2, "chains_set_aside": 2}
    assert result["chain_counts"]["voted"] == 2 and result["chain_counts"]["unscored"] == 0
    assert "reached 2 of 4 chains; 2 that ended before it did not vote" in result["summary"]
    progress = [data for event, data in events if event == "progress"]
    assert progress[0]["notes"] == 0 and progress[-1]["notes"] == 1
    assert progress[-1]["chains_reached"] == 2


def test_without_a_note_the_same_stream_answers_as_before() -> None:
    with fake_app(fake_engines(generator())) as fake:
        r = fake.client.post("/solve", json={"problem": PROBLEM, "n": 4, "seed": 1, "stream": True})
    result = sse(r.text)[-1][1]
    assert result["answer"] == "243" and result["context"] is None


def test_only_the_key_that_asked_may_add_a_note() -> None:
    with fake_app(fake_engines(generator()), api_keys=[KEY, OTHER]) as fake:
        status, events = stream_with_a_note(fake, {"problem": PROBLEM, "n": 4}, note_key=OTHER, key=KEY)
    assert status == 404  # another key's request is as unknown as one never seen
    assert events[-1][1]["answer"] == "243" and events[-1][1]["context"] is None


def test_an_unknown_or_answered_request_takes_no_note_and_an_answered_one_is_continued_with_it() -> None:
    with fake_app(fake_engines(generator())) as fake:
        assert fake.client.post("/solve/nope/context", json={"context": NOTE}).status_code == 404
        answered = fake.client.post("/solve", json={"problem": PROBLEM, "n": 4, "seed": 1}).json()
        request_id = answered["request_id"]
        refused = fake.client.post(f"/solve/{request_id}/context", json={"context": NOTE})
        assert refused.status_code == 409 and "/continue" in refused.json()["error"]["message"]
        more = fake.client.post(f"/solve/{request_id}/continue", json={"context": "37+48=85\n" + NOTE})
    assert more.status_code == 200, more.text
    data = more.json()
    # The new chains read the note first; the four before it are set aside. The note's false step
    # (85*3=300) is the client's word: not checked, not scored into the chains, never a reason to cut.
    assert data["answer"] == "288" and data["context"] == {"notes": 1, "chains_reached": 4, "chains_set_aside": 4}
    assert data["chain_counts"]["voted"] == 4 and data["search"]["chains_pruned"] == 0
    assert data["chain_counts"]["sampled"] == 8


def test_a_step_level_search_or_a_format_without_notes_refuses_a_note() -> None:
    with fake_app(fake_engines(generator())) as fake:
        status, _ = stream_with_a_note(fake, {"problem": PROBLEM, "n": 4, "strategy": "beam"})
        more = fake.client.post("/solve/x/continue", json={"context": NOTE, "strategy": "beam"})
    assert status == 409 and more.status_code == 404
    plain = FORMAT.model_copy(update={"note": None})
    assert isinstance(plain, GeneratorFormat)
    engines = fake_engines(generator())
    with fake_app(engines.__class__(engines.generator, engines.scorer, engines.outcome_scorer, plain)) as fake:
        status, _ = stream_with_a_note(fake, {"problem": PROBLEM, "n": 4})
        more = fake.client.post("/solve/x/continue", json={"context": NOTE})
    assert status == 409 and more.status_code == 422


def test_a_note_must_be_text_of_a_bounded_length() -> None:
    with fake_app(fake_engines(generator())) as fake:
        for body in ({"context": ""}, {"context": "x" * 4001}, {}, {"context": NOTE, "more": 1}):
            assert fake.client.post("/solve/abc/context", json=body).status_code == 422


def test_the_audit_record_keeps_each_note_and_where_each_chain_read_it(tmp_path: Path) -> None:
    admin = "admin-key-0123456789abcdef"
    settings = {"admin_keys": admin, "trace_db": f"sqlite:///{tmp_path / 'a.db'}"}
    with fake_app(fake_engines(generator()), **settings) as fake:
        records = {}
        for store in (True, False):
            _, events = stream_with_a_note(fake, {"problem": PROBLEM, "n": 4, "seed": 1, "store": store})
            records[store] = trace_of(fake, events[-1][1]["request_id"], admin)
    kept, hashed = records[True], records[False]
    assert kept["context"]["notes"][0]["text"] == NOTE and kept["context"]["notes"][0]["at_s"] > 0
    assert kept["context"]["chains_reached"] == 2 and kept["context"]["chains_set_aside"] == 2
    reads = [chain["notes"] for chain in kept["chains"]]
    assert sorted(map(len, reads)) == [0, 0, 1, 1]
    assert all(r == [{"number": 1, "step": 1, "steps": 1}] for r in reads if r)  # after the first step
    assert sorted(chain["set_aside"] for chain in kept["chains"]) == [False, False, True, True]
    assert set(hashed["context"]["notes"][0]["text"]) & {"sha256", "hmac_sha256"}
    assert NOTE not in json.dumps(hashed)


def trace_of(fake: FakeApp, request_id: str, admin: str) -> dict[str, Any]:
    written(fake.app)
    r = fake.client.get(f"/admin/traces/{request_id}", headers=bearer(admin))
    assert r.status_code == 200, r.text
    content: dict[str, Any] = r.json()["records"][0]["content"]
    return content
