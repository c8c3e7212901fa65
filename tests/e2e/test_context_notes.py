"""A client's note on the real engines, in both deployments: posted while a streamed /solve runs,
every chain reads it (at its next step boundary, or before its first step if it has not begun),
the shipped generator goes on from the value the note states, and the answer changes with it;
only the key that asked may add one; the audit record keeps the note and where each chain read it."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.conftest import LiveServer
from tests.e2e.test_step_search import record, solve

PROBLEM = "((((58*7)+26)-33)*4)+95"  # five steps: the note comes while every chain is in its first ones


def stream_with_a_note(server: LiveServer, body: dict[str, Any], note: str) -> tuple[int, list[tuple[str, Any]]]:
    """A streamed solve, and the note posted as soon as the first event comes."""
    events: list[tuple[str, Any]] = []
    status = 0
    client = httpx.Client(base_url=server.url, timeout=120)
    with client, client.stream("POST", "/solve", json=body | {"stream": True}) as r:
        request_id = r.headers["x-request-id"]
        event = ""
        for line in r.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((event, json.loads(line.split(":", 1)[1])))
                if len(events) == 1:
                    status = client.post(f"/solve/{request_id}/context", json={"context": note}).status_code
    return status, events


def test_a_note_changes_the_answer_in_both_deployments(deployed: LiveServer) -> None:
    body = {"problem": "((37+48)*3)-12", "n": 8, "seed": 3}
    plain, _ = solve(deployed, body, False)
    status, events = stream_with_a_note(deployed, body, "37+48=95")
    result = events[-1][1]
    assert plain["answer"] == "243" and status == 202
    # The generator goes on from the value the note states: 95*3=285, 285-12=273.
    assert result["answer"] == "273"
    context = result["context"]
    assert context["notes"] == 1 and context["chains_reached"] + context["chains_set_aside"] == 8
    assert "note reached" in result["summary"]
    content = record(deployed, result["request_id"])
    assert content["context"]["notes"][0]["text"] == "37+48=95"
    reached = [chain for chain in content["chains"] if chain["notes"]]
    assert len(reached) == context["chains_reached"] and all("37+48=95\n" in chain["text"] for chain in reached)


def test_a_note_reaches_chains_at_their_next_step_boundary_mid_decode(live_server: LiveServer) -> None:
    """Posted once the chains have written tokens: a chain that has begun reads it where its step
    ends (its engine request is closed there and a new one goes on after the note)."""
    body = {"problem": PROBLEM, "n": 32, "seed": 5, "stream": True}
    client = httpx.Client(base_url=live_server.url, timeout=120)
    with client, client.stream("POST", "/solve", json=body) as r:
        request_id, status, progress = r.headers["x-request-id"], 0, []
        for line in r.iter_lines():
            if not line.startswith("data:"):
                continue
            data = json.loads(line.split(":", 1)[1])
            progress.append(data)
            if not status and data.get("tokens", 0) > 0:
                status = client.post(f"/solve/{request_id}/context", json={"context": "432-33=300"}).status_code
    assert status == 202
    result = progress[-1]
    assert result["context"]["chains_reached"] >= 1
    assert any(p.get("notes") == 1 and p.get("chains_reached", 0) >= 1 for p in progress)
    content = record(live_server, request_id)
    later = [chain for chain in content["chains"] if chain["notes"] and chain["notes"][0]["step"] >= 1]
    assert later, "no chain had begun a step when the note came"
    for chain in later:
        step = chain["notes"][0]["step"]
        lines = chain["text"].split("\n")
        assert lines[step] == "432-33=300"  # right after its step boundary, whole
    assert sum(chain["tokens"] for chain in content["chains"]) == result["usage"]["reasoning_tokens"]
