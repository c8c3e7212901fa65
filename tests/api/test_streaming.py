"""Streamed answers on fake engines: the event order of each dialect, the final object equal to
the non-streaming one, errors before the stream as statuses and after it as events. (The real
engines and the official `openai` client drive the same streams in tests/e2e.)"""

from __future__ import annotations

import json
from typing import Any

from tests.fakes import PROBLEM, FakeApp, fake_app

VOLATILE = {"request_id", "timings"}


def sse(text: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of a server-sent event stream; `message` where no event is named."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line and not line.startswith(":")]
        if not lines:
            continue
        event = next((line[6:].strip() for line in lines if line.startswith("event:")), "message")
        data = "\n".join(line[5:].lstrip() for line in lines if line.startswith("data:"))
        out.append((event, data if data == "[DONE]" else json.loads(data)))
    return out


def stable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in VOLATILE}


def test_a_streamed_solve_sends_progress_summary_pieces_then_the_same_result(fake: FakeApp) -> None:
    body = {"problem": PROBLEM, "n": 8, "seed": 4}
    whole = fake.client.post("/solve", json=body).json()
    r = fake.client.post("/solve", json=body | {"stream": True})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = sse(r.text)
    kinds = [e for e, _ in events]
    assert kinds[0] == "progress" and kinds[-1] == "result" and "summary" in kinds
    first_summary = kinds.index("summary")
    assert set(kinds[:first_summary]) == {"progress"} and set(kinds[first_summary:-1]) == {"summary"}
    result = events[-1][1]
    assert stable(result) == stable(whole)
    assert "".join(d["delta"] for e, d in events if e == "summary") == result["summary"]
    last = [d for e, d in events if e == "progress"][-1]
    assert last["chains_running"] == 0 and last["leading_answer"] == result["answer"]


def test_what_is_refused_up_front_is_still_a_status_not_a_stream(fake: FakeApp) -> None:
    r = fake.client.post("/solve", json={"problem": PROBLEM, "n": 4, "temperature": 0, "stream": True})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"


def test_a_failure_after_the_stream_began_is_an_error_event() -> None:
    from app.errors import EngineUnavailable
    from tests.fakes import ArithmeticScorer, fake_engines

    engines = fake_engines()
    engines.scorer = ArithmeticScorer(failure=EngineUnavailable("reward", "cannot reach it"))  # type: ignore[misc]
    with fake_app(engines) as app:
        r = app.client.post("/solve", json={"problem": PROBLEM, "n": 4, "stream": True})
    events = sse(r.text)
    assert r.status_code == 200 and events[0][0] == "progress"
    assert events[-1][0] == "error" and "cannot reach" in events[-1][1]["error"]["message"]
    assert events[-1][1]["error"]["code"] == "engine_unavailable"


def chat_body(**extra: object) -> dict[str, object]:
    return {"model": "arith-generator", "messages": [{"role": "user", "content": PROBLEM}], "seed": 2} | extra


def test_a_streamed_chat_sends_role_reasoning_content_finish_usage_then_done(fake: FakeApp) -> None:
    whole = fake.client.post("/v1/chat/completions", json=chat_body(reasoning_effort="low")).json()
    r = fake.client.post(
        "/v1/chat/completions",
        json=chat_body(reasoning_effort="low", stream=True, stream_options={"include_usage": True}),
    )
    assert r.status_code == 200
    events = sse(r.text)
    assert events[-1] == ("message", "[DONE]")
    chunks = [data for _, data in events[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"} and len({c["id"] for c in chunks}) == 1
    deltas = [c["choices"][0]["delta"] for c in chunks if c["choices"]]
    assert deltas[0] == {"role": "assistant", "content": ""}
    reasoning = "".join(d.get("reasoning", "") for d in deltas)
    assert reasoning == whole["verification"]["summary"]
    assert "".join(d.get("content") or "" for d in deltas) == whole["choices"][0]["message"]["content"]
    finish = [c for c in chunks if c["choices"] and c["choices"][0].get("finish_reason")]
    assert len(finish) == 1 and finish[0]["choices"][0]["finish_reason"] == whole["choices"][0]["finish_reason"]
    assert finish[0]["verification"] == whole["verification"]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"] == whole["usage"]


def test_a_streamed_response_follows_openais_event_sequence(fake: FakeApp) -> None:
    body = {"model": "arith-generator", "input": PROBLEM, "reasoning": {"effort": "low", "summary": "auto"}}
    whole = fake.client.post("/v1/responses", json=body).json()
    events = sse(fake.client.post("/v1/responses", json=body | {"stream": True}).text)
    kinds = [e for e, _ in events]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        *["response.reasoning_summary_text.delta"] * kinds.count("response.reasoning_summary_text.delta"),
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [d["sequence_number"] for _, d in events] == list(range(len(events)))
    assert all(d["type"] == e for e, d in events)
    completed = events[-1][1]["response"]
    assert {k: v for k, v in completed.items() if k not in ("id", "created_at", "output")} == {
        k: v for k, v in whole.items() if k not in ("id", "created_at", "output")
    }
    summary = "".join(d["delta"] for e, d in events if e == "response.reasoning_summary_text.delta")
    assert summary == completed["output"][0]["summary"][0]["text"] == whole["output"][0]["summary"][0]["text"]
