"""deploy/k8s, checked statically (no cluster): the overlays pass `python -m lab.k8s_manifests`, a
planted fault in a copy of them makes it fail naming the fault, and the overlays have the shape
the deployment needs (headless engine Services, one GPU per engine pod on GPUs and none on CPUs,
the secrets from Secrets, the try-out database on the CPU overlay only)."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab import k8s_manifests
from lab.k8s_manifests import render, unknown_env

ROOT = Path(__file__).resolve().parent.parent
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("cpu", "gpu")
GPU = "nvidia.com/gpu"


@functools.cache
def rendered(overlay: str) -> tuple[dict[str, Any], ...]:
    return tuple(render(K8S / "overlays" / overlay))


def find(overlay: str, kind: str, name: str) -> dict[str, Any]:
    found = [d for d in rendered(overlay) if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name} in {overlay}"
    return found[0]


def container(overlay: str, deployment: str) -> dict[str, Any]:
    return find(overlay, "Deployment", deployment)["spec"]["template"]["spec"]["containers"][0]


def test_the_overlays_pass_the_checker(capsys: pytest.CaptureFixture[str]) -> None:
    assert k8s_manifests.main([]) == 0
    out = capsys.readouterr().out
    assert "FAULT" not in out and "2 overlay(s) pass" in out
    assert out.count("ok    kubernetes-validate --strict") == 2


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of deploy/k8s to plant faults in."""
    shutil.copytree(K8S, tmp_path / "k8s")
    return tmp_path / "k8s"


def plant(root: Path, file: str, old: str, new: str) -> None:
    path = root / file
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} in {file}"
    path.write_text(text.replace(old, new))


PLANTED = {
    "a liveness probe on a path the API does not serve": (
        "base/api.yaml",
        "path: /health  # keyless",
        "path: /healthz",
        "livenessProbe: path /healthz is not a GET route of the api app",
    ),
    "an exec readiness probe asking a path the API does not serve": (
        "base/api.yaml",
        "http://127.0.0.1:8000/ready'",
        "http://127.0.0.1:8000/readyz'",
        "readinessProbe: path /readyz is not a GET route of the api app",
    ),
    "an httpGet probe on the keyed /ready of the API": (
        "base/api.yaml",
        "path: /health  # keyless",
        "path: /ready",
        "httpGet /ready needs an API key",
    ),
    "an env name Settings does not have": (
        "base/api.yaml",
        "name: BON_GENERATOR_URL\n",
        "name: BON_GENERATOR_URLS\n",
        "unknown env name BON_GENERATOR_URLS: not a field of Settings",
    ),
    "a nested env name the worker's settings do not have": (
        "overlays/cpu/cpu-resources.yaml",
        "name: BON_WORKER_ENGINE__KV_CACHE_BYTES",
        "name: BON_WORKER_ENGINE__KV_CACHE_SIZE",
        "unknown env name BON_WORKER_ENGINE__KV_CACHE_SIZE: not a field of WorkerSettings",
    ),
    "an image tag compose does not use": (
        "base/api.yaml",
        "image: bon-api:0.1.0",
        "image: bon-api:0.2.0",
        "image bon-api:0.2.0 is not one of docker/compose.yaml's",
    ),
    "a grace period shorter than preStop + drain + flush": (
        "base/api.yaml",
        "terminationGracePeriodSeconds: 45",
        "terminationGracePeriodSeconds: 30",
        "terminationGracePeriodSeconds 30 < preStop sleep 5 + BON_SHUTDOWN_GRACE_S 30 + BON_TRACE_FLUSH_S 5",
    ),
    "a drain longer than the grace period allows": (
        "base/api.yaml",
        'name: BON_SHUTDOWN_GRACE_S\n              value: "30"',
        'name: BON_SHUTDOWN_GRACE_S\n              value: "60"',
        "terminationGracePeriodSeconds 45 < preStop sleep 5 + BON_SHUTDOWN_GRACE_S 60",
    ),
    "an unknown field (the strict schema)": (
        "base/reward.yaml",
        "          image: bon-reward:0.1.0\n",
        "          image: bon-reward:0.1.0\n          imagePullPolicyy: Always\n",
        "'imagePullPolicyy' was unexpected",
    ),
    "the generator reachable from anywhere": (
        "base/networkpolicy.yaml",
        "        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: bon\n"
        "              app.kubernetes.io/component: api\n      ports:\n        - port: 8000",
        "        - namespaceSelector: {}\n      ports:\n        - port: 8000",
        "bon-generator-from-api: lets traffic from anywhere reach pods that are not the API's",
    ),
    "an engine behind a Service with a cluster IP": (
        "base/reward.yaml",
        "  clusterIP: None\n",
        "",
        "Service/bon-reward: an engine's Service must be headless",
    ),
    "the HPA scaling another Deployment": (
        "base/api-scaling.yaml",
        "    kind: Deployment\n    name: bon-api",
        "    kind: Deployment\n    name: bon-generator",
        "HorizontalPodAutoscaler/bon-api targets Deployment/bon-generator",
    ),
}


@pytest.mark.parametrize("fault", PLANTED)
def test_a_planted_fault_fails_the_check_naming_it(fault: str, copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file, old, new, message = PLANTED[fault]
    plant(copy, file, old, new)
    assert k8s_manifests.main([str(copy / "overlays" / "cpu")]) == 1
    out = capsys.readouterr().out
    assert message in out and "deploy/k8s: FAILED" in out


def test_the_command_exits_non_zero_on_a_fault(copy: Path) -> None:
    plant(copy, "base/api.yaml", "path: /health  # keyless", "path: /healthz")
    cmd = [sys.executable, "-m", "lab.k8s_manifests", str(copy / "overlays" / "gpu")]
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 1 and "path /healthz is not a GET route" in out.stdout


def test_env_names_are_read_as_pydantic_settings_reads_them() -> None:
    assert unknown_env("api", "BON_ADAPTIVE__WAVE") is None
    assert unknown_env("api", "BON_GENERATOR_ENGINE__TENSOR_PARALLEL_SIZE") is None
    assert unknown_env("api", "BON_REASONING_EFFORT_N__HIGH") is None  # a dict's key
    assert unknown_env("api", "BON_ADAPTIVE__WAVES") is not None
    assert unknown_env("api", "BON_WORKER_MODEL") is not None  # the worker's, not the API's
    assert unknown_env("worker", "BON_WORKER_OUTCOME_ENGINE__KV_CACHE_BYTES") is None
    assert "BON_WORKER_* only" in (unknown_env("worker", "BON_MODEL") or "")
    assert unknown_env("vllm", "BON_ANYTHING") is None and unknown_env("api", "HF_HOME") is None


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_engines_sit_behind_headless_services_and_the_api_finds_them(overlay: str) -> None:
    for name, port in (("bon-generator", 8000), ("bon-reward", 8001)):
        service = find(overlay, "Service", name)
        assert service["spec"]["clusterIP"] == "None" and service["spec"]["ports"][0]["port"] == port
    env = {e["name"]: e for e in container(overlay, "bon-api")["env"]}
    assert env["BON_GENERATOR_URL"]["value"] == "http://bon-generator:8000"
    assert env["BON_REWARD_URL"]["value"] == "http://bon-reward:8001"
    assert find(overlay, "Service", "bon-api")["spec"]["type"] == "ClusterIP"
    assert {d["metadata"].get("namespace", "bon") for d in rendered(overlay)} == {"bon"}


def test_the_gpu_overlay_gives_each_engine_pod_one_gpu() -> None:
    for name in ("bon-generator", "bon-reward"):
        resources = container("gpu", name)["resources"]
        assert resources["limits"][GPU] == "1" and resources["requests"][GPU] == "1"
    assert GPU not in str(container("gpu", "bon-api"))
    generator = container("gpu", "bon-generator")
    assert generator["image"] == "vllm/vllm-openai:v0.32.0"
    assert generator["command"] == ["python3", "-m", "vllm.entrypoints.openai.api_server"]
    assert "--gpu-memory-utilization=0.9" in generator["args"] and "--enforce-eager" not in generator["args"]
    models = next(d for d in rendered("gpu") if d["kind"] == "ConfigMap")["data"]
    assert models["generator-model"] == "Qwen/Qwen2.5-Math-1.5B-Instruct" and models["orm-model"] == "none"


def test_the_cpu_overlay_runs_vllms_cpu_build_and_the_shipped_models_without_a_gpu() -> None:
    assert GPU not in str(rendered("cpu"))
    generator = container("cpu", "bon-generator")
    assert generator["image"] == "public.ecr.aws/q9t5s3a7/vllm-cpu-release-repo:v0.32.0"
    assert {"--enforce-eager", "--kv-cache-memory-bytes=268435456", "--no-enable-chunked-prefill"} <= set(
        generator["args"]
    )
    assert container("cpu", "bon-reward")["image"] == "bon-reward-cpu:0.1.0"
    for name in ("bon-api", "bon-generator", "bon-reward"):
        spec = find("cpu", "Deployment", name)["spec"]["template"]["spec"]
        assert [c["image"] for c in spec["initContainers"]] == ["bon-models:0.1.0"]
        mounts = {m["mountPath"]: m for m in spec["containers"][0]["volumeMounts"]}
        assert mounts["/models"]["readOnly"] is True
    models = next(d for d in rendered("cpu") if d["kind"] == "ConfigMap")["data"]
    copied = (ROOT / "docker" / "Dockerfile.models").read_text()
    for key in ("generator-model", "prm-model"):
        assert f" {models[key]}\n" in copied, f"{models[key]} is in bon-models"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_keys_and_the_database_url_come_from_the_secret(overlay: str) -> None:
    env = {e["name"]: e for e in container(overlay, "bon-api")["env"]}
    for name, key in (("BON_API_KEYS", "api-keys"), ("BON_ADMIN_KEYS", "admin-keys"), ("BON_TRACE_DB", "trace-db")):
        ref = env[name]["valueFrom"]["secretKeyRef"]
        assert ref["name"].startswith("bon-secrets") and ref["key"] == key
    secrets = [d for d in rendered(overlay) if d["kind"] == "Secret"]
    if overlay == "gpu":
        assert not secrets, "on GPUs the operator creates bon-secrets"
    else:
        assert {"api-keys", "admin-keys", "trace-db", "postgres-password"} <= secrets[0]["data"].keys()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_try_out_postgres_is_on_the_cpu_overlay_only(overlay: str) -> None:
    stateful = [d for d in rendered(overlay) if d["kind"] == "StatefulSet"]
    if overlay == "gpu":
        assert not stateful
        return
    assert [s["metadata"]["name"] for s in stateful] == ["bon-postgres"]
    claim = stateful[0]["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"]
    assert claim == "1Gi" and find("cpu", "Service", "bon-postgres")["spec"]["clusterIP"] == "None"
    assert find("cpu", "NetworkPolicy", "bon-postgres-from-api")["spec"]["ingress"][0]["ports"][0]["port"] == 5432


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_api_scales_drains_and_is_probed_like_compose(overlay: str) -> None:
    api = find(overlay, "Deployment", "bon-api")
    assert api["spec"]["replicas"] == 2 and api["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 10001
    hpa = find(overlay, "HorizontalPodAutoscaler", "bon-api")
    assert hpa["apiVersion"] == "autoscaling/v2" and hpa["spec"]["minReplicas"] == 2
    assert find(overlay, "PodDisruptionBudget", "bon-api")["spec"]["minAvailable"] == 1
    probe = container(overlay, "bon-api")["readinessProbe"]["exec"]["command"]
    compose = yaml.safe_load((ROOT / "docker" / "compose.yaml").read_text())
    assert probe == compose["x-api"]["healthcheck"]["test"][1:], "the readiness probe is compose's healthcheck"
    for name in ("bon-generator", "bon-reward"):
        assert container(overlay, name)["startupProbe"]["failureThreshold"] * 10 >= 600


def test_the_models_image_is_built_and_linted() -> None:
    dockerfile = (ROOT / "docker" / "Dockerfile.models").read_text()
    assert "FROM busybox:1." in dockerfile
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY")}
    assert copied == {"arith-generator", "arith-prm", "arith-orm"}
    assert all((ROOT / "models" / name).is_dir() for name in copied)
    makefile = (ROOT / "Makefile").read_text()
    assert "docker build -f docker/Dockerfile.models -t bon-models:0.1.0 models" in makefile
    assert "hadolint docker/Dockerfile.api docker/Dockerfile.reward docker/Dockerfile.models" in makefile
    assert "lint-k8s: install\n\t$(PY) -m lab.k8s_manifests" in makefile
    assert "test: install node_modules/.installed lint lint-k8s" in makefile
