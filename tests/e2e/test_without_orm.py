"""`BON_ORM_MODEL=none` (or empty) turns the outcome model off, in both deployments: /ready is
green with two engines, /solve answers, and `orm_max` is refused as a bad request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.config import Settings
from app.engines import container
from app.engines.vllm_generator import VllmGenerator
from app.engines.vllm_scorer import VllmStepScorer
from app.main import create_app
from lab.background_server import BackgroundServer, start_background_server
from tests.conftest import SplitDeployment, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=["none", ""])
def api_without_orm(split_deployment: SplitDeployment, request: pytest.FixtureRequest) -> Iterator[BackgroundServer]:
    """An API beside the split deployment's own, on the same engine services, with no ORM."""
    settings = Settings(
        port=free_port(),
        orm_model=request.param,
        generator_url=split_deployment.generator.url,
        reward_url=split_deployment.reward.url,
    )
    server = start_background_server(create_app(settings), settings.port)
    try:
        yield server
    finally:
        server.stop()


def test_the_split_deployment_serves_without_an_outcome_model(api_without_orm: BackgroundServer) -> None:
    with api_without_orm.client() as c:
        ready = c.get("/ready")
        solved = c.post("/solve", json={"problem": "((37+48)*3)-12", "n": 8, "seed": 1})
        orm_max = c.post("/solve", json={"problem": "((37+48)*3)-12", "n": 8, "selection": "orm_max"})
    assert ready.status_code == 200 and ready.json()["engines"] == {"generator": "ready", "reward": "ready"}
    assert solved.status_code == 200 and solved.json()["answer"] == "243"
    assert orm_max.status_code == 422 and "outcome reward model" in orm_max.json()["error"]["message"]


def test_the_embedded_deployment_starts_no_outcome_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """What build_engines starts for the settings (engine start-up itself is tested with the live server)."""
    started: list[str] = []
    monkeypatch.setattr(VllmGenerator, "start", classmethod(lambda cls, model, tok, opts: started.append(model.name)))
    monkeypatch.setattr(
        VllmStepScorer, "load", classmethod(lambda cls, model, fmt, what, opts: started.append(model.name))
    )
    engines = container.build_engines(Settings(orm_model="none"))
    assert engines.outcome_scorer is None and len(started) == 2
    assert (
        started[1].endswith("arith-prm")
        and "generator" in engines.by_name()
        and "outcome_reward" not in engines.by_name()
    )


def test_a_summarizer_model_of_its_own_is_started_and_named_in_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """BON_SUMMARIZER_MODEL starts one more in-process generator, in its own detected format."""
    started: list[str] = []
    monkeypatch.setattr(
        VllmGenerator, "start", classmethod(lambda cls, model, tok, opts: started.append(model.name) or object())
    )
    monkeypatch.setattr(
        VllmStepScorer, "load", classmethod(lambda cls, model, fmt, what, opts: started.append(model.name))
    )
    shipped = Settings().generator_model
    engines = container.build_engines(Settings(orm_model="none", summarizer_model=shipped))
    assert len(started) == 3 and started[2] == shipped and "summarizer" in engines.by_name()
    assert engines.summarizer_format is not None and engines.summarizer_format.summary == "arith"
