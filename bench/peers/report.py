"""bench/PEERS.md from the peer benchmark's run summaries: a table per N, then what the numbers say.

The reading is computed from the numbers (who is fastest, by how much, where a peer is better), so
it stays true when the table is made again; `bench/peers/README.md` explains the why.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVAL_FILE = Path(__file__).resolve().parents[2] / "models" / "eval_adaptive.json"
STEPS_EVAL_FILE = EVAL_FILE.with_name("eval_steps.json")  # `bon eval --strategy steps`
TARGET = 3.0  # the target: 3× lower p50 than the fastest peer that uses a PRM


@dataclass
class RunSummary:
    """One system at one N: what the table shows, as the runner keeps it in `bench/peers/runs/`."""

    system: str
    name: str
    n: int
    problems: int
    accuracy: float
    p50_ms: float
    p95_ms: float
    mean_ms: float
    generated_tokens: float | None  # per problem, at the shared generator (ours embedded: its own usage)
    generator_calls: float | None  # per problem; None: in process, no call
    prm_calls: float | None
    exposes_chain: float  # share of answers whose response carried a chain line
    errors: int
    reported_reasoning_tokens: float | None  # per problem, as our service reports it
    wall_s: float
    stream: dict[str, Any] | None = None


USES_PRM = {
    "ours-embedded",
    "ours-split",
    "ours-adaptive",
    "ours-pf",
    "ours-pf-split",
    "its-bon",
    "its-pf",
    "optillm-prmbon",
}
OURS = ("ours-embedded", "ours-split", "ours-adaptive", "ours-pf", "ours-pf-split")
FLOOR = "generator-alone"  # sampling alone: not a peer, the time under every shared-generator system


def _num(value: float | None, fmt: str = "{:.1f}", missing: str = "in process") -> str:
    return missing if value is None else fmt.format(value)


def _tokens(s: RunSummary) -> str:
    """Counted at the shared generator; in process, as the service reports its usage (marked)."""
    tokens = _num(s.generated_tokens, "{:.0f}", "–")
    return f"{tokens} (reported)" if s.generator_calls is None and s.generated_tokens is not None else tokens


def _hidden(s: RunSummary) -> str:
    if s.exposes_chain == 0:
        return "yes"
    return f"no ({s.exposes_chain:.0%} of answers)"


def _probe(route: str, st: dict[str, Any]) -> str:
    if "error" in st:
        return f"{route} fails ({st['error'][:60]})"
    if not st.get("event_stream"):
        return f"{route}: no (one JSON answer)"
    share = st.get("first_content_share_median")
    if share is None:
        return f"{route}: no content streamed"
    # Content that first arrives in the last tenth of the request came after the work was done.
    verdict = "real" if share < 0.9 else "buffered"
    return f"{route}: {verdict}, first text at {share:.0%} of {st['total_ms_median']:.0f} ms"


def _streaming(s: RunSummary) -> str:
    if not s.stream:
        return "– (library)" if s.system in ("its-bon", "its-pf") else "not probed"
    return "; ".join(_probe(route, st) for route, st in s.stream.items())


def table(rows: Sequence[RunSummary]) -> list[str]:
    out = [
        "| system | PRM | accuracy | p50 ms | p95 ms | generated tokens / problem | generator calls / problem "
        "| PRM calls / problem | chain hidden | streaming |",
        "|---|:-:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for s in rows:
        errors = f" ({s.errors} failed)" if s.errors else ""
        out.append(
            f"| {s.name} | {'yes' if s.system in USES_PRM else 'no'} | {s.accuracy:.1%}{errors} | {s.p50_ms:.0f} "
            f"| {s.p95_ms:.0f} | {_tokens(s)} | {_num(s.generator_calls)} "
            f"| {_num(s.prm_calls)} | {_hidden(s)} | {_streaming(s)} |"
        )
    return out


def _interval(p: float, n: int) -> float:
    """Half-width of a 95% binomial interval, in accuracy points."""
    return 1.96 * math.sqrt(max(p * (1 - p), 1e-9) / n)


def agreement_with_eval(rows: Sequence[RunSummary]) -> list[str]:
    """Our service's rows against `bon eval`'s runs (models/eval_adaptive.json, eval_steps.json)."""
    if not EVAL_FILE.is_file():
        return []
    runs = json.loads(EVAL_FILE.read_text())["runs"]
    steps = json.loads(STEPS_EVAL_FILE.read_text())["runs"] if STEPS_EVAL_FILE.is_file() else {}
    out = [
        "",
        "### Against `bon eval`",
        "",
        f"`bon eval --strategy adaptive` measured the same service through `POST /solve` on 500 held-out problems "
        f"(the first {rows[0].problems} of them are the problems here, with the same seeds: the same chains are "
        "sampled). The 95% interval is the binomial one of this run's accuracy; latency is this run's (the "
        "first round's).",
        "",
        "| N | system | accuracy here | ± (95%) | `bon eval` (same run) | p50 here | `bon eval` p50 | agrees |",
        "|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for s in rows:
        if s.system in ("ours-pf", "ours-pf-split"):
            ref = steps.get(f"particle filtering N={s.n}")
        else:
            ref = runs.get(f"adaptive ≤{s.n}" if s.system == "ours-adaptive" else f"fixed N={s.n}")
        if s.system not in OURS or ref is None:
            continue
        half = _interval(s.accuracy, s.problems)
        ref_acc = ref["accuracy"] / 100
        agrees = abs(s.accuracy - ref_acc) <= half
        out.append(
            f"| {s.n} | {s.name} | {s.accuracy:.1%} | {half:.1%} | {ref_acc:.1%} | {s.p50_ms:.0f} "
            f"| {ref['wall_ms_p50']:.0f} | {'yes' if agrees else 'no'} |"
        )
    return out


def _short(s: RunSummary) -> str:
    return s.name.split(" (")[0]


def reading(rows: Sequence[RunSummary], n: int) -> list[str]:
    """What the table for one N says: our fastest row against the fastest PRM peer and every peer."""
    ours = [s for s in rows if s.system in OURS]
    peers = [s for s in rows if s.system not in OURS and s.system != FLOOR]
    if not ours or not peers:
        return []
    best = min(ours, key=lambda s: s.p50_ms)
    out = [f"- Our fastest way at N={n} is {_short(best)}: p50 {best.p50_ms:.0f} ms, accuracy {best.accuracy:.1%}."]
    floor = next((s for s in rows if s.system == FLOOR), None)
    if floor is not None:
        over = ", ".join(f"{s.name.split(' (')[0]} {s.p50_ms / floor.p50_ms:.1f}×" for s in [*ours, *peers])
        out.append(
            f"- Sampling alone takes {floor.p50_ms:.0f} ms at p50 on the shared generator; p50 over that floor: {over}."
        )
    prm_peers = [s for s in peers if s.system in USES_PRM]
    if prm_peers:
        fastest = min(prm_peers, key=lambda s: s.p50_ms)
        ratio = fastest.p50_ms / best.p50_ms
        met = (
            "meets"
            if ratio >= TARGET and best.accuracy >= fastest.accuracy - _interval(best.accuracy, best.problems)
            else "misses"
        )
        out.append(
            f"- The fastest peer that uses the PRM is {fastest.name} (p50 {fastest.p50_ms:.0f} ms, accuracy "
            f"{fastest.accuracy:.1%}): ours is {ratio:.1f}× lower at p50, which {met} the 3× target."
        )
    for s in peers:
        faster = s.p50_ms < best.p50_ms
        better = s.accuracy > best.accuracy + _interval(best.accuracy, best.problems)
        if faster or better:
            what = " and ".join(w for w, f in (("faster", faster), ("more accurate", better)) if f)
            out.append(f"- {s.name} is {what} than ours here (p50 {s.p50_ms:.0f} ms, accuracy {s.accuracy:.1%}).")
    return out


PEER_TO_BEAT = "its-bon"  # the fastest PRM peer in every run so far: the bar our two deployments are held to


def _by(rows: Sequence[RunSummary], system: str, n: int) -> RunSummary | None:
    return next((s for s in rows if s.system == system and s.n == n), None)


def bar_checks(rows: Sequence[RunSummary], n: int) -> str:
    """Whether, in one round at one N, our split deployment answers at or below the peer's p50 at an
    accuracy within the 95% interval of its own, and our embedded one ahead of it."""
    peer, split, embedded = (_by(rows, s, n) for s in (PEER_TO_BEAT, "ours-split", "ours-embedded"))
    if peer is None or split is None or embedded is None:
        return "not all three ran"
    equal = abs(split.accuracy - peer.accuracy) <= _interval(split.accuracy, split.problems)
    verdicts = [
        f"split {split.p50_ms:.0f} ms {'≤' if split.p50_ms <= peer.p50_ms else '>'} {peer.p50_ms:.0f} ms "
        f"({'met' if split.p50_ms <= peer.p50_ms else 'missed'})",
        f"accuracy {split.accuracy:.1%} vs {peer.accuracy:.1%} ({'equal' if equal else 'not equal'} within "
        f"±{_interval(split.accuracy, split.problems):.1%})",
        f"embedded {embedded.p50_ms:.0f} ms ({'ahead' if embedded.p50_ms < peer.p50_ms else 'not ahead'})",
    ]
    return "; ".join(verdicts)


def reruns_section(rounds: Sequence[Sequence[RunSummary]]) -> list[str]:
    """Every round's p50 and accuracy side by side, with the spread, and the bar checked in each."""
    first = rounds[0]
    out = [
        "## Every round",
        "",
        f"The same command measured every system {len(rounds)} times; each round starts every server afresh and "
        "runs each system with only the processes it needs (the embedded service alone, before the shared "
        "servers start). Spread: half the gap between the rounds' extremes, relative to their mean.",
        "",
        "| N | system | p50 ms, each round | spread | accuracy, each round |",
        "|---:|---|---:|---:|---:|",
    ]
    for s in first:
        same = [r for rows in rounds if (r := _by(rows, s.system, s.n)) is not None]
        p50s = [r.p50_ms for r in same]
        spread = (max(p50s) - min(p50s)) / 2 / (sum(p50s) / len(p50s))
        out.append(
            f"| {s.n} | {s.name} | {' / '.join(f'{v:.0f}' for v in p50s)} | ±{spread:.0%} "
            f"| {' / '.join(f'{r.accuracy:.1%}' for r in same)} |"
        )
    out.append("")
    for n in sorted({s.n for s in first}):
        for k, rows in enumerate(rounds, 1):
            out.append(f"- N={n}, round {k}, against {PEER_TO_BEAT}: {bar_checks(rows, n)}.")
    return [*out, ""]


def write_report(
    path: Path,
    results: Sequence[RunSummary],
    *,
    problems: int,
    machine: str,
    command: str,
    seconds: float | None,
    versions: dict[str, str],
    reruns: Sequence[Sequence[RunSummary]] = (),
) -> None:
    """The tables of the first round; with `reruns`, every round's p50 side by side."""
    ns = sorted({s.n for s in results})
    lines = [
        "# Side by side with the peers",
        "",
        f"Made by `{command}` on {machine}: {sum(s.wall_s for s in results) / 60:.0f} min of runs "
        + (
            f"({seconds / 60:.0f} min for this invocation; a finished run is kept in `bench/peers/runs/` and "
            "reused when the command runs again). "
            if seconds is not None
            else "(this page rewritten from the kept runs by `bench/peers/run_peers.py --report-only`). "
        )
        + "Versions: "
        + ", ".join(f"{k} {v}" for k, v in versions.items())
        + ".",
        "",
        f"{problems} held-out test problems of the shipped arithmetic task, one at a time, for every system. "
        "One `vllm serve` generator (the shipped model; temperature 1.0, at most 160 new tokens) and one PRM "
        "server (`bon worker`, the shipped PRM) serve every system but our embedded deployment, which runs "
        "the same models in its own process, measured with the shared servers stopped; our service runs as its "
        "own process (`bon serve`), never in the bench's. Calls and generated tokens are read from the shared servers' "
        "Prometheus counters around each run; latency is the client's wall-clock per problem. A chain is "
        "*hidden* when no response carried a line of it; streaming is *real* when something of the work "
        "(progress, a summary, text) arrives before the last tenth of the request (median of a few streamed "
        "requests at the largest N, so the same in both tables; `POST /solve` is our native stream, `chat` is "
        "`/v1/chat/completions`).",
        "",
    ]
    for n in ns:
        rows = [s for s in results if s.n == n]
        lines += [f"## N = {n}", "", *table(rows), "", *reading(rows, n), ""]
    lines += reruns_section([results, *reruns]) if reruns else []
    lines += agreement_with_eval(results)
    lines += ["", "Why the numbers are what they are, and what would change them: `bench/peers/README.md`.", ""]
    path.write_text("\n".join(lines))
