"""Tools inside the chains on the real engines, in both deployments: on a problem whose running
value goes below zero (which the shipped generator was never taught to write), every chain pauses
at each step's `=`, the calculator writes the value, and the chain decodes on from the engine's
prefix cache; the next step goes on from that value and the calculator fills the answer line, so
the answer is right with the tool and not without; the same seed gives the same chains streamed
or whole; the audit record keeps each call."""

from __future__ import annotations

from typing import Any

from tests.conftest import LiveServer
from tests.e2e.test_step_search import record, solve

NEGATIVE = "((37-82)*3)+10"


def test_the_calculator_writes_the_values_the_generator_cannot(deployed: LiveServer) -> None:
    body: dict[str, Any] = {"problem": NEGATIVE, "n": 8, "seed": 11, "tools": ["calculator"]}
    whole, _ = solve(deployed, body, False)
    streamed, progress = solve(deployed, body, True)
    without, _ = solve(deployed, body | {"tools": "none"}, False)
    tools = whole["tools"]
    assert whole["answer"] == "-125" and without["answer"] != "-125"
    assert tools["tools"] == ["calculator"] and tools["chains_calling"] == 8
    assert tools["ok"] == tools["calls"][0]["calls"] >= 8 and tools["error"] == tools["refused"] == 0
    assert whole["usage"]["tool_calls"] == tools["ok"] and without["tools"] is None
    # Segments are seeded: the same chains whether the client watches or not.
    assert streamed["tools"] == tools and streamed["usage"] == whole["usage"] and streamed["answer"] == whole["answer"]
    assert progress and "called the calculator" in whole["summary"]
    content = record(deployed, whole["request_id"])
    calls = [call for chain in content["chains"] for call in chain["tool_calls"]]
    first = [call for call in calls if call["step"] == 0]
    assert len(first) == 8 and {(c["code"], c["output"], c["written"]) for c in first} == {("37-82", "-45", "-45\n")}
    assert all(chain["text"].startswith("37-82=-45\n") for chain in content["chains"])
    answers = [call for call in calls if call["step"] == 3]  # the answer line, after the three operations
    assert answers and all((c["code"], c["written"]) == ("-125", "-125") for c in answers)
    assert all(c["outcome"] == "ok" and c["exit_status"] is None and c["cpu_ms"] >= 0 for c in calls)
    assert content["params"]["tools"] == ["calculator"] and content["usage"]["tool_calls"] == len(calls)
