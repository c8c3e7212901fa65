"""`bon eval --strategy adaptive --check RUN`: some of the recorded runs again, through the service
as it is now, compared with what `eval_adaptive.json` recorded.

The same held-out problems with the same seeds, one request at a time: a change that should not
change what the service answers (a restructuring, a faster path) must reproduce every recorded
figure but the wall-clock exactly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lab.evaluation.adaptive_fit import ADAPTIVE_BUDGETS, FIXED_NS
from lab.evaluation.adaptive_run import AdaptiveEvalConfig, service_settings, summarize_runs
from lab.evaluation.live import runs_for, solve_all
from lab.evaluation.samples import Case
from lab.task import arith

# Everything a run's row records but the wall-clock, which no two machines (or runs) share.
COMPARED = ("problems", "accuracy", "reasoning_tokens", "chains_started", "chains_pruned", "stops", "verified_share")


@dataclass(frozen=True, slots=True)
class Figure:
    run: str
    name: str
    recorded: Any
    now: Any

    @property
    def same(self) -> bool:
        return bool(self.recorded == self.now)


def compare(recorded: dict[str, Any], now: dict[str, Any]) -> list[Figure]:
    """Each compared figure of each run in `now`, beside the recorded one."""
    return [Figure(run, name, recorded[run].get(name), row.get(name)) for run, row in now.items() for name in COMPARED]


def reproduce(cfg: AdaptiveEvalConfig, names: Sequence[str]) -> list[Figure]:
    recorded = json.loads((cfg.out_dir / "eval_adaptive.json").read_text())["runs"]
    runs = [run for run in runs_for(FIXED_NS, ADAPTIVE_BUDGETS) if run.name in names]
    unknown = set(names) - {run.name for run in runs} or set(names) - set(recorded)
    if unknown:
        raise ValueError(f"no recorded run named {', '.join(sorted(unknown))}; recorded: {', '.join(recorded)}")
    # In-range test problems come first in the full evaluation, so problem i had seed i there too.
    work = [(Case.in_range(p), runs) for p in arith.problems("test", cfg.test_problems)]
    return compare(recorded, summarize_runs(solve_all(service_settings(cfg), work, cfg.port)))
