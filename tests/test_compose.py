"""docker/compose.yaml, checked statically (no Docker engine runs on our machines)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

COMPOSE = Path(__file__).resolve().parent.parent / "docker" / "compose.yaml"
PROFILES = {"gpu": ("api", "generator", "reward"), "cpu": ("api-cpu", "generator-cpu", "reward-cpu")}


def rendered(profile: str) -> dict[str, Any]:
    """The file as docker-compose resolves it (anchors merged, variables at their defaults)."""
    exe = shutil.which("docker-compose")
    assert exe, "docker-compose is missing: `make install` installs it"
    out = subprocess.run(
        [exe, "-f", str(COMPOSE), "--profile", profile, "config"], check=True, capture_output=True, text=True
    )
    return yaml.safe_load(out.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_has_the_three_services_wired_by_health(profile: str) -> None:
    services = rendered(profile)["services"]
    api, generator, reward = (services[name] for name in PROFILES[profile])
    for service in (api, generator, reward):
        assert profile in service["profiles"]
        assert "healthcheck" in service and service["healthcheck"]["test"][0] == "CMD"
        assert any(v.endswith(":/models:ro") for v in service["volumes"]), "models are mounted read-only"
    assert api["depends_on"] == {
        PROFILES[profile][1]: {"condition": "service_healthy"},
        PROFILES[profile][2]: {"condition": "service_healthy"},
    }
    env = api["environment"]
    assert env["BON_GENERATOR_URL"] == f"http://{PROFILES[profile][1]}:8000"
    assert env["BON_REWARD_URL"] == f"http://{PROFILES[profile][2]}:8001"
    # Nothing listens beyond what the user publishes: only the API has a port, on loopback.
    assert "ports" not in generator and "ports" not in reward
    assert [str(p).split(":")[0] for p in api["ports"]] == ["127.0.0.1"]
    assert any("huggingface" in v for v in generator["volumes"]) and any("huggingface" in v for v in reward["volumes"])


def test_the_gpu_profile_gives_each_engine_its_own_gpu() -> None:
    services = rendered("gpu")["services"]
    ids = [
        services[s]["deploy"]["resources"]["reservations"]["devices"][0]["device_ids"] for s in ("generator", "reward")
    ]
    assert ids == [["0"], ["1"]]
    assert services["generator"]["image"].startswith("vllm/vllm-openai:")


def test_the_cpu_profile_runs_vllms_cpu_build_with_an_explicit_kv_cache() -> None:
    services = rendered("cpu")["services"]
    generator = services["generator-cpu"]
    assert "vllm-cpu" in generator["image"]
    assert any(a.startswith("--kv-cache-memory-bytes=") for a in generator["command"])
    assert "--no-enable-chunked-prefill" in generator["command"]
    assert "deploy" not in generator and "deploy" not in services["reward-cpu"]
    assert services["reward-cpu"]["build"]["args"]["VLLM_IMAGE"] == generator["image"]


@pytest.mark.parametrize("dockerfile", ["Dockerfile.api", "Dockerfile.reward"])
def test_the_images_install_the_service_and_not_the_lab(dockerfile: str) -> None:
    text = (COMPOSE.parent / dockerfile).read_text()
    sources = {src for line in text.splitlines() if line.startswith("COPY") for src in line.split()[1:-1]}
    assert sources == {"pyproject.toml", "README.md", "app"}
    assert "[lab]" not in text and "pip install --no-cache-dir ." in text


def test_hub_ids_reach_every_service_that_reads_the_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENERATOR_MODEL", "Qwen/Qwen2.5-Math-1.5B-Instruct")
    monkeypatch.setenv("GENERATOR_NAME", "qwen-math")
    monkeypatch.setenv("PRM_MODEL", "Qwen/Qwen2.5-Math-PRM-7B")
    monkeypatch.setenv("ORM_MODEL", "none")
    services = rendered("gpu")["services"]
    assert "--model=Qwen/Qwen2.5-Math-1.5B-Instruct" in services["generator"]["command"]
    assert "--served-model-name=qwen-math" in services["generator"]["command"]
    api, reward = services["api"]["environment"], services["reward"]["environment"]
    assert api["BON_GENERATOR_MODEL"] == "Qwen/Qwen2.5-Math-1.5B-Instruct" and api["BON_ORM_MODEL"] == "none"
    assert api["BON_GENERATOR_SERVED_NAME"] == "qwen-math" and api["HF_HUB_OFFLINE"] == "1"
    assert reward["BON_WORKER_MODEL"] == "Qwen/Qwen2.5-Math-PRM-7B" and reward["BON_WORKER_OUTCOME_MODEL"] == "none"
    assert any(v.startswith("hf-cache:") or "hf-cache" in v for v in services["api"]["volumes"])


def test_by_default_the_shipped_models_are_read_from_the_volume() -> None:
    services = rendered("cpu")["services"]
    api, reward = services["api-cpu"]["environment"], services["reward-cpu"]["environment"]
    assert api["BON_GENERATOR_MODEL"] == "/models/arith-generator" and reward["BON_WORKER_MODEL"] == "/models/arith-prm"
    assert reward["BON_WORKER_ENGINE__KV_CACHE_BYTES"] == "268435456"
