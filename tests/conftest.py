"""Shared fixtures. The fast tier builds the app on fake engines (tests/fakes.py); the real vLLM
engines start once per test session for the end-to-end tier (start-up is ~35 s each)."""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from app.config import SHIPPED_MODELS, Settings
from app.main import create_app
from lab.background_server import BackgroundServer, free_port, start_background_server
from lab.local_services import LocalService, engine_services
from lab.postgres import PostgresCluster, postgres_bin
from tests.fakes import FakeApp, fake_app

# The audit store's SQLite file lives in the data directory: the tests' is a throw-away one (set
# before any Settings is built; the services the tests start inherit it).
os.environ.setdefault("BON_DATA_DIR", tempfile.mkdtemp(prefix="bon-test-data-"))

LiveServer = BackgroundServer
E2E_ADMIN_KEY = "admin-key-of-the-live-server"  # reads the live server's audit store (the trace viewer)

# Hypothesis's per-example deadline is a timing assertion: on a loaded 2-core machine it fails
# tests whose logic is right. Speed is measured in bench/, not asserted here. `make test` runs
# every property test in full; `make test-fast` picks the `quick` profile, a fifth of the examples,
# so the tier answers within a minute.
settings.register_profile("full", deadline=None)
settings.register_profile("quick", deadline=None, max_examples=20)
settings.load_profile("full")


def examples(in_full: int) -> int:
    """A test's number of examples at the chosen profile's scale (`in_full` under `full`)."""
    return max(1, in_full * settings.default.max_examples // 100)


FAST_TIER = "not e2e"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """The fast tier does not even import the end-to-end modules (they import vLLM at the top)."""
    if config.getoption("markexpr") == FAST_TIER and collection_path == Path(__file__).parent / "e2e":
        return True
    return None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The fast tier must not need vLLM: fail it if anything imported vLLM after all."""
    if session.config.getoption("markexpr") == FAST_TIER and "vllm" in sys.modules:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print("\nthe fast tier imported vllm: a test outside tests/e2e needs the real engines", file=sys.stderr)


@pytest.fixture
def fake() -> Iterator[FakeApp]:
    """The API on fake engines with the default settings."""
    with fake_app() as app:
        yield app


@pytest.fixture(scope="session")
def shipped_models() -> Path:
    for kind in ("generator", "prm", "orm"):
        assert (SHIPPED_MODELS / f"arith-{kind}" / "model.safetensors").exists(), f"arith-{kind} is not shipped"
    return SHIPPED_MODELS


@pytest.fixture(scope="session")
def live_server(shipped_models: Path) -> Iterator[LiveServer]:
    """The app on the real embedded engines with the shipped models, served on loopback."""
    port = free_port()
    settings = Settings(port=port, request_timeout_s=300, admin_keys=[E2E_ADMIN_KEY])
    server = start_background_server(create_app(settings), port)
    try:
        yield server
    finally:
        server.stop()


@dataclass
class SplitDeployment:
    """The three services of docker/compose.yaml as plain local processes on loopback."""

    api: BackgroundServer
    generator: LocalService
    reward: LocalService


@pytest.fixture(scope="session")
def split_deployment(shipped_models: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SplitDeployment]:
    """`vllm serve` with the shipped generator, `bon worker` with the shipped PRM and ORM, and the
    app pointed at both."""
    logs = tmp_path_factory.mktemp("split-logs")
    # Settings' default models are the shipped ones.
    with engine_services(Settings(), free_port(), free_port(), logs) as (generator, reward):
        settings = Settings(
            port=free_port(),
            request_timeout_s=300,
            generator_url=generator.url,
            reward_url=reward.url,
            remote_timeout_s=30,
            admin_keys=[E2E_ADMIN_KEY],
        )
        api = start_background_server(create_app(settings), settings.port)
        try:
            yield SplitDeployment(api, generator, reward)
        finally:
            api.stop()


@pytest.fixture(scope="session", params=["embedded", "split"])
def deployed(request: pytest.FixtureRequest) -> LiveServer:
    """The API of either deployment: the end-to-end /solve checks run against both."""
    if request.param == "embedded":
        server: LiveServer = request.getfixturevalue("live_server")
        return server
    split: SplitDeployment = request.getfixturevalue("split_deployment")
    return split.api


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """A real PostgreSQL (Debian's, started with pg_ctl) for the whole session. Its directory is
    not under pytest's (which only root may enter): as root the cluster runs as `postgres`."""
    binaries = postgres_bin()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (Debian's postgresql package; or set BON_TEST_PG_BIN)")
    cluster = PostgresCluster(binaries, Path(tempfile.mkdtemp(prefix="bon-test-pg-")))
    try:
        cluster.init()
        yield cluster
    finally:
        with contextlib.suppress(RuntimeError):  # a test stopped it already
            cluster.stop("immediate")
        shutil.rmtree(cluster.root, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres: PostgresCluster) -> str:
    """A fresh, empty database on the session's cluster."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    postgres.psql(f"CREATE DATABASE {name}")
    return postgres.url.rsplit("/", 1)[0] + f"/{name}"
