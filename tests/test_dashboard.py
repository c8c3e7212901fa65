"""The operators' dashboard (deploy/grafana/dashboards/bon.json) cannot rot silently: every metric
it queries, and every label it filters or groups by, is one the service exports. The API's /metrics
is scraped after traffic on fake engines (its labeled series appear only once something is
observed), the replica pools' metrics come from their collector over a scripted pool (the fake
engines are in-process), the worker's /metrics after scoring on fake scorers, and vLLM's names are
read from the installed vLLM source (the fast tier never imports vLLM). A name planted in a copy
of the dashboard is reported, and so is a panel without a description or the data source variable."""

from __future__ import annotations

import asyncio
import copy
import importlib.util
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from app.engines.replica_metrics import ReplicaCollector
from app.engines.replicas import ReplicaPool
from tests.fakes import PROBLEM, fake_app
from tests.worker.test_worker_app import scorers, wait_until_loaded, worker

DASHBOARD = Path(__file__).resolve().parents[1] / "deploy" / "grafana" / "dashboards" / "bon.json"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}

# A metric's sample names and the label names seen on them; None where the family is declared but
# has no sample yet (its labels are unknown).
Exposition = dict[str, frozenset[str] | None]

# Labels Prometheus adds to every scraped series (and the relabeling in deploy/prometheus/).
TARGET_LABELS = frozenset({"job", "instance", "service"})


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


FUNCTIONS = words(
    """abs absent absent_over_time avg_over_time ceil changes clamp clamp_max clamp_min count_over_time
    day_of_month day_of_week day_of_year days_in_month delta deriv exp floor histogram_avg histogram_count
    histogram_fraction histogram_quantile histogram_stddev histogram_stdvar histogram_sum hour idelta increase irate
    label_join label_replace last_over_time ln log10 log2 max_over_time min_over_time minute month predict_linear
    present_over_time quantile_over_time rate resets round scalar sgn sort sort_desc sqrt stddev_over_time
    stdvar_over_time sum_over_time time timestamp vector year"""
)
AGGREGATIONS = words("sum min max avg group stddev stdvar count count_values bottomk topk quantile")
KEYWORDS = words("and or unless bool offset inf nan group_left group_right")
GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")
SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
IDENTIFIER = re.compile(r"(?<![\w:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")
LABEL_VALUES = re.compile(r"^\s*label_values\((.*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$")
JOB_VARIABLE = re.compile(r"^\$\{?([a-zA-Z_]\w*)\}?$")


# --- reading the queries ------------------------------------------------------------------------


def parse_promql(expr: str) -> tuple[list[tuple[str, dict[str, str]]], list[str], list[str]]:
    """The metrics an expression selects (name, label matchers), the labels it groups by, and the
    problems with it (a selector without a metric name, an unknown function)."""
    selected: list[tuple[str, dict[str, str]]] = []
    problems: list[str] = []

    def selector(m: re.Match[str]) -> str:
        name = m.group(1)
        matchers = {label: value for label, _, value in MATCHER.findall(m.group(2))}
        if not name or name in AGGREGATIONS | FUNCTIONS | KEYWORDS:
            problems.append(f"a selector without a metric name: {m.group(0).strip()}")
        else:
            selected.append((name, matchers))
        return " "

    rest = SELECTOR.sub(selector, expr)
    rest = re.sub(r'"(?:[^"\\]|\\.)*"', " ", rest)  # strings (label_replace's arguments)
    rest = re.sub(r"\[[^\]]*\]", " ", rest)  # ranges, subqueries: [5m], [$__rate_interval]
    grouped = [label.strip() for _, labels in GROUPING.findall(rest) for label in labels.split(",") if label.strip()]
    rest = GROUPING.sub(" ", rest)
    rest = re.sub(r"\$\{?\w+\}?", " ", rest)  # Grafana's variables
    rest = re.sub(r"(?<![\w:])\d+(\.\d*)?([eE][+-]?\d+)?[smhdwy]?", " ", rest)  # numbers, durations
    for name, call in IDENTIFIER.findall(rest):
        if call:
            if name not in FUNCTIONS | AGGREGATIONS:
                problems.append(f"unknown function {name}()")
        elif name not in KEYWORDS:
            selected.append((name, {}))
    return selected, grouped, problems


def queries(dashboard: Mapping[str, Any]) -> Iterator[tuple[str, str, str | None]]:
    """Every query of the dashboard: where it is, the PromQL, and the job variable it is bound to
    for a template variable's `label_values(...)` (its own name)."""
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]
            text = query["query"] if isinstance(query, dict) else query
            yield f"variable {variable['name']}", text, variable["name"]
    for panel in all_panels(dashboard):
        for target in panel.get("targets", []):
            yield f"panel {panel['id']} ({panel['title']}) {target.get('refId')}", target.get("expr", ""), None


def all_panels(dashboard: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in dashboard["panels"]:
        yield panel
        yield from panel.get("panels", [])  # a collapsed row keeps its panels inside


def unknown_metrics(dashboard: Mapping[str, Any], sources: Mapping[str, Exposition]) -> list[str]:
    """What the dashboard queries that its services do not export: each selector is bound to one
    service by its `job=~"$<variable>"` matcher, and `sources` holds, by variable name, what that
    service exports. Labels are checked where the service's samples show them."""
    problems = []
    for where, text, own_job in queries(dashboard):
        label_query = LABEL_VALUES.match(text)
        expr, wanted = (label_query.group(1), [label_query.group(2)]) if label_query else (text, [])
        selected, grouped, found = parse_promql(expr)
        problems += [f"{where}: {p}" for p in found]
        if not selected:
            problems.append(f"{where}: queries no metric")
        labels_in_expr: set[str] | None = set(TARGET_LABELS)  # None: a metric's labels are unknown
        for name, matchers in selected:
            job = own_job or _job_variable(matchers.get("job", ""))
            known = sources[job].get(name) if job in sources else None
            if job not in sources:
                problems.append(f'{where}: {name} is not bound to a service (job=~"$api_job", …)')
            elif name not in sources[job]:
                problems.append(f"{where}: {name} is not among the metrics of ${job}")
            elif known is not None:
                problems += [
                    f"{where}: {name} has no label {label!r}"
                    for label in matchers
                    if label not in known | TARGET_LABELS
                ]
            if known is None or labels_in_expr is None:
                labels_in_expr = None
            else:
                labels_in_expr |= known
        if labels_in_expr is not None:
            problems += [
                f"{where}: grouped by {label!r}, a label of none of its metrics"
                for label in [*grouped, *wanted]
                if label not in labels_in_expr
            ]
    return problems


def _job_variable(value: str) -> str | None:
    m = JOB_VARIABLE.match(value)
    return m.group(1) if m else None


# --- what the services export -------------------------------------------------------------------

SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("", "_sum", "_count", "_created"),
    "gauge": ("",),
}


def exposition(text: str) -> Exposition:
    """Sample names and their label names in a Prometheus text exposition, and the sample names of
    the families declared there without a sample yet."""
    exposed: dict[str, frozenset[str] | None] = {}
    for family in text_string_to_metric_families(text):
        if not family.samples:
            exposed |= {family.name + suffix: None for suffix in SUFFIXES.get(family.type, ("",))}
        for sample in family.samples:
            exposed[sample.name] = (exposed.get(sample.name) or frozenset()) | set(sample.labels)
    return exposed


def vllm_exposition() -> Exposition:
    """vLLM's metrics, read from the installed source (its Prometheus logger), not imported."""
    spec = importlib.util.find_spec("vllm")
    assert spec is not None and spec.submodule_search_locations, "vLLM is not installed: `make install` installs it"
    source = (Path(next(iter(spec.submodule_search_locations))) / "v1" / "metrics" / "loggers.py").read_text()
    declared = re.compile(
        r'_(counter|gauge|histogram)_cls\(\s*name="(vllm:\w+)".*?labelnames=(labelnames)?\s*\+?\s*(\[[^\]]*\])?',
        re.DOTALL,
    )
    exposed: Exposition = {}
    for kind, name, common, extra in declared.findall(source):
        labels = frozenset(re.findall(r'"(\w+)"', extra)) | ({"model_name", "engine"} if common else set())
        base = name.removesuffix("_total") if kind == "counter" else name
        for suffix in SUFFIXES[kind]:
            exposed[base + suffix] = labels | ({"le"} if suffix == "_bucket" else set())
    assert len(exposed) > 40, "vLLM's metrics were not found in its source: has vllm/v1/metrics/loggers.py moved?"
    return exposed


def api_exposition() -> Exposition:
    """The API's /metrics on fake engines, after a run of each kind (fixed, streamed, adaptive,
    particle filtering, a continuation, a chat completion, one with tools, an invalid request) and audit records
    dropped from a one-record buffer; with the replica pools' metrics, from their collector over a scripted pool."""
    with fake_app(trace_buffer=1) as fake:
        c = fake.client
        solved = c.post("/solve", json={"problem": PROBLEM, "n": 4})
        assert solved.status_code == 200, solved.text
        assert c.post(f"/solve/{solved.json()['request_id']}/continue", json={}).status_code == 200
        with c.stream("POST", "/solve", json={"problem": PROBLEM, "n": 4, "stream": True}) as r:
            assert r.status_code == 200 and "".join(r.iter_text())
        assert c.post("/solve", json={"problem": PROBLEM, "n": 8, "strategy": "adaptive"}).status_code == 200
        assert c.post("/solve", json={"problem": PROBLEM, "n": 4, "strategy": "particle_filtering"}).status_code == 200
        chat = {
            "model": c.get("/v1/models").json()["data"][0]["id"],
            "messages": [{"role": "user", "content": PROBLEM}],
        }
        assert c.post("/v1/chat/completions", json=chat).status_code == 200
        assert c.post("/solve", json={"problem": PROBLEM, "n": 2, "tools": ["calculator"]}).status_code == 200
        assert c.post("/solve", json={"problem": ""}).status_code == 422
        for _ in range(50):  # the writer holds a record for a moment: the next ones find its buffer full
            c.post("/solve", json={"problem": PROBLEM, "n": 2})
            text = c.get("/metrics").text
            if "bon_audit_records_dropped_total{" in text:
                break
    return merged(exposition(text), exposition(refusals()), exposition(replica_metrics()))


def merged(*parts: Exposition) -> Exposition:
    """Several apps' expositions as one: a name's labels are every sample's of it in any."""
    together: dict[str, frozenset[str] | None] = {}
    for part in parts:
        for name, labels in part.items():
            if labels is None:
                together.setdefault(name, None)  # declared there, with no sample yet
            else:
                together[name] = (together.get(name) or frozenset()) | labels
    return together


def refusals() -> str:
    """A key past its requests a minute: the refusal metric shows its reason."""
    key = "sk-dashboard-test-0123456789"
    with fake_app(api_keys=[key], rate_limit_requests_per_minute=1) as fake:
        headers = {"Authorization": f"Bearer {key}"}
        assert fake.client.post("/solve", json={"problem": PROBLEM, "n": 2}, headers=headers).status_code == 200
        assert fake.client.post("/solve", json={"problem": PROBLEM, "n": 2}, headers=headers).status_code == 429
        return fake.client.get("/metrics", headers=headers).text


def replica_metrics() -> str:
    def connect(url: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=url, transport=httpx.MockTransport(lambda r: httpx.Response(200, json={})))

    pool = ReplicaPool("generator", ["http://10.0.0.1:8000", "http://10.0.0.2:8000"], connect)
    asyncio.run(pool.request_json("a-request", "GET", "/x"))  # its endpoints are made at its first call
    registry = CollectorRegistry()
    registry.register(ReplicaCollector(lambda: {"generator": pool}))
    return generate_latest(registry).decode()


def worker_exposition() -> Exposition:
    with worker(lambda _: scorers()) as c:
        wait_until_loaded(c)
        for reward in ("process", "outcome"):
            r = c.post("/score", json={"problem": "1+1", "chains": [["1+1=2", "A:2"]], "reward": reward})
            assert r.status_code == 200, r.text
        return exposition(c.get("/metrics").text)


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text())  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def sources() -> dict[str, Exposition]:
    return {"api_job": api_exposition(), "worker_job": worker_exposition(), "generator_job": vllm_exposition()}


# --- the tests ----------------------------------------------------------------------------------


def test_every_metric_and_label_the_dashboard_queries_is_exported(
    dashboard: dict[str, Any], sources: dict[str, Exposition]
) -> None:
    assert unknown_metrics(dashboard, sources) == []


def test_the_traffic_made_every_queried_api_and_worker_metric_show_its_labels(
    dashboard: dict[str, Any], sources: dict[str, Exposition]
) -> None:
    """Labels are checked only where samples show them: the traffic above must leave none unseen."""
    unseen = set()
    for _, text, own_job in queries(dashboard):
        label_query = LABEL_VALUES.match(text)
        for name, matchers in parse_promql(label_query.group(1) if label_query else text)[0]:
            job = own_job or _job_variable(matchers.get("job", ""))
            if job in ("api_job", "worker_job") and sources[job].get(name) is None:
                unseen.add(name)
    assert not unseen


def test_the_dashboard_covers_each_part_of_the_service(dashboard: dict[str, Any]) -> None:
    queried = {name for _, text, _ in queries(dashboard) for name, _ in parse_promql(text)[0]}
    for name in (
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "bon_stage_seconds_bucket",
        "bon_chains_sampled_total",
        "bon_tokens_generated_total",
        "bon_audit_buffered",
        "bon_audit_records_dropped_total",
        "bon_audit_write_failures_total",
        "bon_replica_up",
        "bon_replica_errors_total",
        "bon_replica_failovers_total",
        "bon_refused_total",
        "bon_admission_queued",
        "bon_admission_wait_seconds_bucket",
        "bon_chains_pruned_total",
        "bon_search_stops_total",
        "bon_worker_batch_requests_bucket",
        "vllm:num_requests_waiting",
        "vllm:num_requests_running",
        "vllm:kv_cache_usage_perc",
    ):
        assert name in queried, name


def test_a_planted_unknown_metric_or_label_or_function_is_reported(
    dashboard: dict[str, Any], sources: dict[str, Exposition]
) -> None:
    planted = copy.deepcopy(dashboard)
    panel = next(p for p in planted["panels"] if p["type"] != "row")
    expr = panel["targets"][0]["expr"]
    panel["targets"][0]["expr"] = expr.replace("http_requests_total", "http_requests_totals")
    problems = unknown_metrics(planted, sources)
    assert len(problems) == 1 and "http_requests_totals is not among the metrics of $api_job" in problems[0]

    worker_only = expr.replace("http_requests_total", "bon_worker_batch_requests_count")  # the API has none
    panel["targets"][0]["expr"] = worker_only
    assert (
        "bon_worker_batch_requests_count is not among the metrics of $api_job" in unknown_metrics(planted, sources)[0]
    )

    cases = {
        'bon_replica_up{job=~"$api_job", replica="x"}': "bon_replica_up has no label 'replica'",
        'sum by (route) (rate(http_requests_total{job=~"$api_job"}[5m]))': "grouped by 'route'",
        'rates(http_requests_total{job=~"$api_job"}[5m])': "unknown function rates()",
        "bon_audit_buffered": "bon_audit_buffered is not bound to a service",
        'vllm:num_requests_waitin{job=~"$generator_job"}': "vllm:num_requests_waitin is not among",
    }
    for planted_expr, message in cases.items():
        panel["targets"][0]["expr"] = planted_expr
        problems = unknown_metrics(planted, sources)
        assert len(problems) == 1 and message in problems[0], (planted_expr, problems)

    planted["templating"]["list"][1]["query"] = "label_values(bon_audit_buffer, job)"
    panel["targets"][0]["expr"] = expr
    assert unknown_metrics(planted, sources) == [
        "variable api_job: bon_audit_buffer is not among the metrics of $api_job"
    ]


def test_promql_is_read_for_metric_names_only() -> None:
    selected, grouped, problems = parse_promql(
        'histogram_quantile(0.95, sum by (le, stage) (rate(bon_stage_seconds_bucket{job=~"$api_job", '
        'stage!="select"}[$__rate_interval]))) / on (stage) group_left sum without (instance) '
        '(label_replace(up{job="a"}, "x", "$1", "y", "(.*)") offset 1h) > bool 1e-3'
    )
    assert selected == [
        ("bon_stage_seconds_bucket", {"job": "$api_job", "stage": "select"}),
        ("up", {"job": "a"}),
    ]
    assert grouped == ["le", "stage", "stage", "instance"] and problems == []
    assert parse_promql('{__name__="x"}')[2] == ['a selector without a metric name: {__name__="x"}']


def panel_structure_faults(dashboard: Mapping[str, Any]) -> list[str]:
    """Unique ids, a description, the data source variable and an expr on every panel and target,
    panels inside the grid and not overlapping."""
    faults = []
    panels = list(all_panels(dashboard))
    ids = [p["id"] for p in panels]
    faults += [f"panel id {i} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    boxes = []
    for p in panels:
        where = f"panel {p['id']} ({p.get('title')})"
        g = p["gridPos"]
        if g["x"] < 0 or g["w"] < 1 or g["x"] + g["w"] > 24:
            faults.append(f"{where} is outside the 24 columns")
        boxes.append((where, g))
        if p["type"] == "row":
            continue
        if not p.get("description", "").strip():
            faults.append(f"{where} has no description")
        if p.get("datasource") != DATASOURCE:
            faults.append(f"{where} does not use the data source variable")
        if not p.get("targets"):
            faults.append(f"{where} has no query")
        for t in p.get("targets", []):
            if not t.get("expr", "").strip():
                faults.append(f"{where} target {t.get('refId')} has no expr")
            if t.get("datasource", DATASOURCE) != DATASOURCE:
                faults.append(f"{where} target {t.get('refId')} does not use the data source variable")
        refs = [t.get("refId") for t in p.get("targets", [])]
        if len(set(refs)) != len(refs) or None in refs:
            faults.append(f"{where} has missing or repeated refIds")
    for i, (a, ga) in enumerate(boxes):
        for b, gb in boxes[i + 1 :]:
            across = ga["x"] < gb["x"] + gb["w"] and gb["x"] < ga["x"] + ga["w"]
            if across and ga["y"] < gb["y"] + gb["h"] and gb["y"] < ga["y"] + ga["h"]:
                faults.append(f"{a} overlaps {b}")
    return faults


def test_the_dashboard_is_well_formed(dashboard: dict[str, Any]) -> None:
    assert dashboard["uid"] == "bon-overview" and dashboard["title"] == "bon — best-of-N service"
    assert dashboard["schemaVersion"] >= 36
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    for name in ("api_job", "worker_job", "generator_job"):
        assert variables[name]["type"] == "query" and variables[name]["datasource"] == DATASOURCE
    assert panel_structure_faults(dashboard) == []
    assert sum(p["type"] != "row" for p in dashboard["panels"]) >= 20


def test_planted_structure_faults_are_reported(dashboard: dict[str, Any]) -> None:
    planted = copy.deepcopy(dashboard)
    a, b = [p for p in planted["panels"] if p["type"] != "row"][:2]
    b["id"] = a["id"]
    a["description"] = ""
    a["datasource"] = {"type": "prometheus", "uid": "bon-prometheus"}
    a["targets"][0]["expr"] = ""
    b["gridPos"] = dict(a["gridPos"])
    faults = panel_structure_faults(planted)
    assert f"panel id {a['id']} is used twice" in faults
    assert any("has no description" in f for f in faults)
    assert any("does not use the data source variable" in f for f in faults)
    assert any("has no expr" in f for f in faults)
    assert any("overlaps" in f for f in faults)
