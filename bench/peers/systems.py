"""The systems in the peer benchmark and how each is asked one problem.

Every system answers through HTTP except its_hub's library algorithms, which run in its_hub's
own virtual environment (`its_hub_driver.py`) and report one line per problem. What a system
returns is kept whole, so the runner can judge the answer and see whether the chain was exposed.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from app.core.steps import extract_answer, split_steps
from lab.task import arith

# A line of the hidden chain as the generator writes it ("37+48=85"): seen in a response, the
# chain was handed to the client. Our summaries paraphrase ("add 48 to get 85") and never match.
CHAIN_LINE = re.compile(r"(?m)^\s*-?\d+[+\-*]\d+=-?\d+\s*$")


@dataclass(frozen=True, slots=True)
class Reply:
    """One problem's answer: the text judged, every text the client received, the wall-clock."""

    answer: str | None
    texts: list[str]
    wall_ms: float
    reasoning_tokens: int | None = None  # what the system itself reports, where it does
    error: str | None = None

    @property
    def exposes_chain(self) -> bool:
        return any(CHAIN_LINE.search(t) for t in self.texts)


def answer_of_chain(text: str) -> str | None:
    """The answer line of a whole chain, read as our service reads its own chains."""
    return extract_answer(split_steps(text, arith.STEP_SEPARATOR), arith.ANSWER_PREFIX)


def strings_in(value: Any) -> Iterator[str]:
    """Every string in a decoded JSON body (a chain could sit in any field)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def _timed_post(client: httpx.Client, path: str, body: dict[str, Any]) -> tuple[httpx.Response, float]:
    t0 = time.perf_counter()
    r = client.post(path, json=body)
    return r, 1000 * (time.perf_counter() - t0)


def solve_search(n: int, strategy: str = "fixed") -> dict[str, Any]:
    """`/solve`'s search fields, as `bon eval` asks: N chains; the adaptive search with at most N;
    or a step-level search (particle_filtering, beam) of N partial chains."""
    if strategy == "fixed":
        return {"n": n}
    if strategy == "adaptive":
        return {"strategy": "adaptive", "budget": {"max_chains": n}}
    return {"strategy": strategy, "n": n}


def ask_ours(client: httpx.Client, problem: str, n: int, seed: int, strategy: str = "fixed") -> Reply:
    """`POST /solve`, as `bon eval` asks it (see `solve_search`), with the problem's seed."""
    body = {"problem": problem, "seed": seed} | solve_search(n, strategy)
    r, wall_ms = _timed_post(client, "/solve", body)
    if r.status_code != 200:
        return Reply(None, [r.text], wall_ms, error=f"HTTP {r.status_code}")
    data = r.json()
    answer = data["answer"].strip() if data["answer"] is not None else None
    return Reply(answer, list(strings_in(data)), wall_ms, reasoning_tokens=data["usage"]["reasoning_tokens"])


def ask_chat(client: httpx.Client, model: str, problem: str, extra: dict[str, Any]) -> Reply:
    """A peer's `/v1/chat/completions`: the problem as the user's message; the chain comes back whole."""
    body = {"model": model, "messages": [{"role": "user", "content": problem}]} | extra
    r, wall_ms = _timed_post(client, "/v1/chat/completions", body)
    if r.status_code != 200:
        return Reply(None, [r.text], wall_ms, error=f"HTTP {r.status_code}: {r.text[:200]}")
    data = r.json()
    content = data["choices"][0]["message"].get("content") or ""
    return Reply(answer_of_chain(content), list(strings_in(data)), wall_ms)


def reply_of_driver_line(line: dict[str, Any]) -> Reply:
    content = line["content"]
    return Reply(answer_of_chain(content), [content], line["wall_ms"], error=line.get("error"))


@dataclass(frozen=True, slots=True)
class StreamTiming:
    """When a streamed request's first content arrived, against when it ended."""

    first_content_ms: float | None
    total_ms: float
    events: int
    is_event_stream: bool

    @property
    def first_share(self) -> float | None:
        return None if self.first_content_ms is None else self.first_content_ms / self.total_ms


def _has_content(event: dict[str, Any]) -> bool:
    """An event that tells the client something of the work: in an OpenAI chunk, anything in a
    delta beyond the role; in our native stream, a progress event once tokens have been
    generated (the first one, sent at once, says only that the request started), a summary
    piece or the result."""
    if "choices" in event:
        return any(any(v for k, v in (choice.get("delta") or {}).items() if k != "role") for choice in event["choices"])
    if "chains_running" in event:
        return bool(event.get("tokens"))
    return "error" not in event


def time_stream(client: httpx.Client, path: str, body: dict[str, Any]) -> StreamTiming:
    """Sends `body` with stream: true and times the first chunk with content. A stream whose
    first content comes at the very end was buffered: the client waited as long as without it."""
    t0 = time.perf_counter()
    first: float | None = None
    events = 0
    with client.stream("POST", path, json=body | {"stream": True}) as r:
        r.raise_for_status()
        is_sse = r.headers.get("content-type", "").startswith("text/event-stream")
        for line in r.iter_lines():
            if not line.startswith("data:") or line.strip() == "data: [DONE]":
                continue
            events += 1
            try:
                event = json.loads(line[5:])
            except json.JSONDecodeError:
                continue
            if first is None and _has_content(event):
                first = 1000 * (time.perf_counter() - t0)
    return StreamTiming(first, 1000 * (time.perf_counter() - t0), events, is_sse)
