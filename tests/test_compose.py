"""docker/compose.yaml, checked statically (no Docker engine runs on our machines)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from lab.k8s_manifests import compose_config

COMPOSE = Path(__file__).resolve().parent.parent / "docker" / "compose.yaml"
DEPLOY = COMPOSE.parent.parent / "deploy"
PROFILES = {"gpu": ("api", "generator", "reward"), "cpu": ("api-cpu", "generator-cpu", "reward-cpu")}
OBSERVABILITY = ("prometheus", "grafana")


@pytest.mark.parametrize("profile", PROFILES)
def test_each_profile_has_the_three_services_wired_by_health(profile: str) -> None:
    services = compose_config(profile)["services"]
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
    services = compose_config("gpu")["services"]
    ids = [
        services[s]["deploy"]["resources"]["reservations"]["devices"][0]["device_ids"] for s in ("generator", "reward")
    ]
    assert ids == [["0"], ["1"]]
    assert services["generator"]["image"].startswith("vllm/vllm-openai:")


def test_the_cpu_profile_runs_vllms_cpu_build_with_an_explicit_kv_cache() -> None:
    services = compose_config("cpu")["services"]
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
    services = compose_config("gpu")["services"]
    assert "--model=Qwen/Qwen2.5-Math-1.5B-Instruct" in services["generator"]["command"]
    assert "--served-model-name=qwen-math" in services["generator"]["command"]
    api, reward = services["api"]["environment"], services["reward"]["environment"]
    assert api["BON_GENERATOR_MODEL"] == "Qwen/Qwen2.5-Math-1.5B-Instruct" and api["BON_ORM_MODEL"] == "none"
    assert api["BON_GENERATOR_SERVED_NAME"] == "qwen-math" and api["HF_HUB_OFFLINE"] == "1"
    assert reward["BON_WORKER_MODEL"] == "Qwen/Qwen2.5-Math-PRM-7B" and reward["BON_WORKER_OUTCOME_MODEL"] == "none"
    assert any(v.startswith("hf-cache:") or "hf-cache" in v for v in services["api"]["volumes"])


def test_by_default_the_shipped_models_are_read_from_the_volume() -> None:
    services = compose_config("cpu")["services"]
    api, reward = services["api-cpu"]["environment"], services["reward-cpu"]["environment"]
    assert api["BON_GENERATOR_MODEL"] == "/models/arith-generator" and reward["BON_WORKER_MODEL"] == "/models/arith-prm"
    assert reward["BON_WORKER_ENGINE__KV_CACHE_BYTES"] == "268435456"


def started(*profiles: str) -> dict[str, Any]:
    """The services `docker compose --profile …` starts (Debian's docker-compose 1.29 renders them
    all, whatever the profiles: each service's own `profiles` says)."""
    services = compose_config(*profiles)["services"]
    return {name: s for name, s in services.items() if not s.get("profiles") or set(s["profiles"]) & set(profiles)}


def mounts(service: dict[str, Any]) -> dict[str, tuple[Path, str]]:
    """A service's bind mounts: where each lands in the container → (the host path, its mode)."""
    found = {}
    for volume in service.get("volumes", []):
        source, target, *mode = volume.split(":")
        if source.startswith("/"):
            found[target] = (Path(source), mode[0] if mode else "rw")
    return found


def listens(service: dict[str, Any]) -> set[int]:
    """The container ports a service exposes or publishes."""
    published = {int(str(p).rsplit(":", 1)[-1].split("/")[0]) for p in service.get("ports", [])}
    return published | {int(p) for p in service.get("expose", [])}


@pytest.mark.parametrize("profile", PROFILES)
def test_the_observability_profile_runs_beside_each_deployment_on_loopback_with_pinned_images(profile: str) -> None:
    services = started(profile, "observability")
    assert set(services) == {*PROFILES[profile], *OBSERVABILITY}
    for name in OBSERVABILITY:
        service = services[name]
        assert service["profiles"] == ["observability"]
        assert re.fullmatch(r"[a-z0-9./-]+:v?\d+\.\d+\.\d+", service["image"]), f"{name}: pin the image's version"
        assert "healthcheck" in service and service["healthcheck"]["test"][0] == "CMD"
        for target, (source, mode) in mounts(service).items():
            assert mode == "ro" and source.exists(), f"{name}: {source} mounted at {target}"
    # Nothing is published beyond loopback, the observability services included.
    published = {name: [str(p).split(":")[0] for p in s.get("ports", [])] for name, s in services.items()}
    assert {name: hosts for name, hosts in published.items() if hosts} == {
        PROFILES[profile][0]: ["127.0.0.1"],
        "prometheus": ["127.0.0.1"],
        "grafana": ["127.0.0.1"],
    }
    assert started("observability").keys() == set(OBSERVABILITY)


def test_prometheus_scrapes_the_three_services_of_either_deployment_where_they_listen() -> None:
    prometheus = started("observability")["prometheus"]
    files = mounts(prometheus)
    config_arg = next(a for a in prometheus["command"] if a.startswith("--config.file="))
    assert files[config_arg.split("=", 1)[1]][0] == DEPLOY / "prometheus" / "prometheus.yml"
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    by_profile = {profile: started(profile, "observability") for profile in PROFILES}
    for i, job_name in enumerate(("api", "generator", "reward")):
        (discovery,) = jobs[job_name]["dns_sd_configs"]
        # Each profile's service, and nothing that is not a service of either.
        assert sorted(discovery["names"]) == sorted(PROFILES[p][i] for p in PROFILES), job_name
        for profile, services in by_profile.items():
            assert discovery["port"] in listens(services[PROFILES[profile][i]]), (job_name, profile)
    # The API's key file is the one compose mounts; by default an empty one (an API without keys).
    key_file = jobs["api"]["authorization"]["credentials_file"]
    assert files[key_file] == (DEPLOY / "prometheus" / "no-api-key", "ro")
    assert (DEPLOY / "prometheus" / "no-api-key").read_text() == ""
    assert set(jobs) == {"api", "generator", "reward", "prometheus"}


def test_grafana_is_provisioned_with_the_prometheus_service_and_the_dashboard() -> None:
    services = started("cpu", "observability")
    grafana = services["grafana"]
    files = mounts(grafana)
    provisioning = DEPLOY / "grafana" / "provisioning"
    assert files["/etc/grafana/provisioning/datasources"][0] == provisioning / "datasources"
    assert files["/etc/grafana/provisioning/dashboards"][0] == provisioning / "dashboards"
    (datasource,) = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert datasource["type"] == "prometheus" and datasource["isDefault"]
    host, port = datasource["url"].removeprefix("http://").split(":")
    assert host in services and int(port) in listens(services[host])
    (provider,) = yaml.safe_load((provisioning / "dashboards" / "bon.yml").read_text())["providers"]
    dashboards = files[provider["options"]["path"]][0]
    assert dashboards == DEPLOY / "grafana" / "dashboards" and (dashboards / "bon.json").exists()
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert home == f"{provider['options']['path']}/bon.json"
    assert grafana["environment"]["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
    assert grafana["depends_on"] == {"prometheus": {"condition": "service_healthy"}}
