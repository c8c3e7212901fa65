"""Held-out problems through the running service: what each strategy answers, spends and takes.

The app is started in process on the embedded default (the same engines `make run` starts) and
every request goes through `POST /solve`, one at a time, so the wall-clock is a client's. Each
problem gets the same seed under every configuration.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import httpx
from tqdm import tqdm

from app.config import Settings
from app.main import create_app
from lab.background_server import start_background_server
from lab.evaluation.samples import Case


@dataclass(frozen=True, slots=True)
class Run:
    """One configuration: the request body's search fields, and how the report names it."""

    name: str
    strategy: str  # "fixed", "adaptive", "particle_filtering" or "beam"
    chains: int  # n (fixed; the step-level searches' population) or the budget's max_chains (adaptive)
    checks: tuple[str, ...] | None = None  # the step checkers asked for (None: the server's)

    def body(self) -> dict[str, Any]:
        return self._search() | ({} if self.checks is None else {"checks": list(self.checks) or "none"})

    def _search(self) -> dict[str, Any]:
        if self.strategy == "fixed":
            return {"n": self.chains}
        if self.strategy == "adaptive":
            return {"strategy": "adaptive", "budget": {"max_chains": self.chains}}
        return {"strategy": self.strategy, "n": self.chains}


def runs_for(fixed_ns: Sequence[int], budgets: Sequence[int]) -> list[Run]:
    return [Run(f"fixed N={n}", "fixed", n) for n in fixed_ns] + [Run(f"adaptive ≤{b}", "adaptive", b) for b in budgets]


@dataclass(frozen=True, slots=True)
class Answered:
    run: str
    strategy: str
    chains_allowed: int
    problem: str
    kind: str
    correct: bool
    answer: str | None
    confidence: float
    calibrated: bool
    verified: bool
    reasoning_tokens: int
    chains_started: int
    chains_pruned: int
    stop_reason: str | None
    wall_ms: float
    # What the confidence was computed from, as the response shows it (to refit without rerunning).
    clusters: list[dict[str, Any]]
    step_scores: list[float]
    # A step-level search's rounds and generator requests (0 for the other strategies).
    steps: int = 0
    branches: int = 0

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def solve_all(settings: Settings, work: Sequence[tuple[Case, Sequence[Run]]], port: int = 8791) -> list[Answered]:
    """Each case under each of its runs, through the service's HTTP API (one engine start)."""
    server = start_background_server(create_app(settings), port)
    out: list[Answered] = []
    try:
        with server.client(timeout=600) as client:
            client.post("/solve", json={"problem": work[0][0].text, "n": 4}).raise_for_status()  # warm-up
            for i, (case, runs) in enumerate(tqdm(work, desc="held-out problems", mininterval=2.0)):
                for run in runs:
                    out.append(_solve(client, case, run, seed=i))
    finally:
        server.stop()
    return out


def _solve(client: httpx.Client, case: Case, run: Run, seed: int) -> Answered:
    t0 = time.perf_counter()
    r = client.post("/solve", json={"problem": case.text, "seed": seed} | run.body())
    wall_ms = 1000 * (time.perf_counter() - t0)
    r.raise_for_status()
    data = r.json()
    search = data.get("search") or {}
    return Answered(
        run=run.name,
        strategy=run.strategy,
        chains_allowed=run.chains,
        problem=case.text,
        kind=case.kind,
        correct=data["answer"] is not None and data["answer"].strip() == case.answer,
        answer=data["answer"],
        confidence=data["confidence"],
        calibrated=data["calibrated"],
        verified=data["verified"],
        reasoning_tokens=data["usage"]["reasoning_tokens"],
        chains_started=data["chain_counts"]["sampled"],
        chains_pruned=search.get("chains_pruned", 0),
        stop_reason=search.get("stop_reason"),
        wall_ms=wall_ms,
        clusters=data["clusters"],
        step_scores=data["step_scores"],
        steps=search.get("steps", 0),
        branches=search.get("branches", 0),
    )
