"""Streams on the real engines, read with the official `openai` package and an SSE parser: the
event order of each API, the streamed final object equal to the non-streaming one for a fixed
seed, in both deployments; and a client that goes away stops its chains in the engine."""

from __future__ import annotations

import contextlib
import re
import statistics
import threading
import time
from typing import Any

import httpx
import pytest
from openai import OpenAI

from tests.api.test_streaming import sse, stable
from tests.conftest import LiveServer

pytestmark = pytest.mark.e2e

PROBLEM = "((37+48)*3)-12"
MODEL = "arith-generator"


def openai_client(server: LiveServer) -> OpenAI:
    return OpenAI(base_url=f"{server.url}/v1", api_key="not-needed", timeout=300, max_retries=0)


def sampled(c: httpx.Client) -> dict[str, float]:
    found = re.findall(r'^bon_requests_sampled_total{schedule="(\w+)"} (\S+)$', c.get("/metrics").text, re.MULTILINE)
    return {schedule: float(count) for schedule, count in found}


def test_a_streamed_solve_ends_with_the_non_streaming_body(deployed: LiveServer) -> None:
    # Split: the whole answer is sampled in one batch (one generator request, one reward call),
    # the stream chain by chain in pieces of tokens. Embedded: both are streamed, each chain
    # scored as it ends. The same seed gives the same chains, scores and answer either way.
    body = {"problem": PROBLEM, "n": 8, "seed": 21}
    whole_schedule = "batch" if deployed.app.state.api.engine_loader.value.remote_reward else "finished"
    with deployed.client() as c:
        before = sampled(c)
        whole = c.post("/solve", json=body).json()
        between = sampled(c)
        r = c.post("/solve", json=body | {"stream": True})
        after = sampled(c)
    assert between.get(whole_schedule, 0) - before.get(whole_schedule, 0) == 1
    assert after.get("finished", 0) - between.get("finished", 0) == 1
    events = sse(r.text)
    kinds = [e for e, _ in events]
    assert kinds[0] == "progress" and kinds[-1] == "result" and kinds.count("result") == 1
    assert stable(events[-1][1]) == stable(whole)
    progress = [d for e, d in events if e == "progress"]
    assert progress[-1]["chains_running"] == 0 and progress[-1]["leading_answer"] == whole["answer"]
    assert "".join(d["delta"] for e, d in events if e == "summary") == whole["summary"]


def test_openai_chat_streams_the_summary_then_the_answer(deployed: LiveServer) -> None:
    client = openai_client(deployed)
    messages = [{"role": "user", "content": PROBLEM}]
    whole = client.chat.completions.create(model=MODEL, messages=messages, reasoning_effort="low", seed=8)  # type: ignore[arg-type]
    stream = client.chat.completions.create(
        model=MODEL,
        messages=messages,  # type: ignore[arg-type]
        reasoning_effort="low",
        seed=8,
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    with_choice = [c for c in chunks if c.choices]
    reasoning = "".join(getattr(c.choices[0].delta, "reasoning", None) or "" for c in with_choice)
    content = "".join(c.choices[0].delta.content or "" for c in with_choice)
    assert with_choice[0].choices[0].delta.role == "assistant"
    assert content == whole.choices[0].message.content and reasoning == whole.verification["summary"]  # type: ignore[attr-defined]
    assert with_choice[-1].choices[0].finish_reason == whole.choices[0].finish_reason
    assert chunks[-1].choices == [] and chunks[-1].usage == whole.usage
    first_content = next(i for i, c in enumerate(with_choice) if c.choices[0].delta.content)
    assert all(not getattr(c.choices[0].delta, "reasoning", None) for c in with_choice[first_content:])


def test_openai_responses_stream_as_the_sdk_reads_them(deployed: LiveServer) -> None:
    # The responses API has no seed: each stream is checked against itself, and against the
    # non-streaming shape.
    client = openai_client(deployed)
    ask: dict[str, Any] = {"model": MODEL, "input": PROBLEM, "reasoning": {"effort": "low", "summary": "detailed"}}
    whole = client.responses.create(**ask)
    events = list(client.responses.create(**ask, stream=True))
    kinds = [e.type for e in events]
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert kinds[-1] == "response.completed" and [e.sequence_number for e in events] == list(range(len(events)))
    assert kinds.index("response.reasoning_summary_text.done") < kinds.index("response.output_text.delta")
    completed = events[-1].response  # type: ignore[union-attr]
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")  # type: ignore[union-attr]
    summary = "".join(e.delta for e in events if e.type == "response.reasoning_summary_text.delta")  # type: ignore[union-attr]
    assert completed.output_text == deltas and completed.output[0].summary[0].text == summary  # type: ignore[union-attr]
    assert [o.type for o in completed.output] == [o.type for o in whole.output] == ["reasoning", "message"]
    with client.responses.stream(**ask) as stream:
        text = "".join(e.delta for e in stream if e.type == "response.output_text.delta")  # type: ignore[union-attr]
        final = stream.get_final_response()
    assert final.output_text == text and final.status == "completed"
    reasoning = [o for o in final.output if o.type == "reasoning"]
    assert reasoning and reasoning[0].summary[0].text
    assert final.usage is not None and final.usage.output_tokens_details.reasoning_tokens > 0


def test_clients_that_go_away_stop_their_chains_and_the_next_request_is_not_slowed(live_server: LiveServer) -> None:
    engines = live_server.app.state.api.engine_loader.value
    body = {"problem": PROBLEM, "n": 64, "max_tokens": 160}

    def one_quick() -> float:
        with live_server.client() as c:
            started = time.perf_counter()
            c.post("/solve", json={"problem": PROBLEM, "n": 1, "seed": 3}).raise_for_status()
            return time.perf_counter() - started

    idle = statistics.median(one_quick() for _ in range(3))

    def abandon(k: int) -> None:
        """Give up after 0.3 s: half wait for a whole answer, half read a stream."""
        with httpx.Client(base_url=live_server.url, timeout=0.3) as c:
            if k % 2:
                with contextlib.suppress(httpx.TimeoutException):
                    c.post("/solve", json=body | {"seed": k})
                return
            started = time.perf_counter()
            with (
                contextlib.suppress(httpx.TimeoutException),  # no headers within 0.3 s: gone all the same
                c.stream("POST", "/solve", json=body | {"seed": k, "stream": True}) as r,
            ):
                for _ in r.iter_bytes():
                    if time.perf_counter() - started > 0.3:
                        break  # leaving the block closes the connection

    clients = [threading.Thread(target=abandon, args=(k,)) for k in range(8)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    gone = time.perf_counter()
    while engines.generator.running_requests() and time.perf_counter() - gone < 5:
        time.sleep(0.02)
    stopped_after = time.perf_counter() - gone
    assert engines.generator.running_requests() == 0  # vLLM's own count of unfinished requests
    assert stopped_after < 1.0, f"the engine still ran abandoned chains {stopped_after:.2f} s after"
    after = statistics.median(one_quick() for _ in range(3))
    assert after < 2 * idle, f"N=1 took {after:.3f} s after the disconnects against {idle:.3f} s idle"
