"""What the API app's routes read from the app, typed, with one owner for each piece."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI
from starlette.requests import Request

from app.audit.writer import AuditWriter
from app.config import Settings
from app.engines.container import Engines
from app.service.params import RequestPolicy
from app.service.pipeline_metrics import PipelineMetrics
from app.service.solve import SolveService
from app.web.api_keys import ApiKeys
from app.web.loading import Loader


@dataclass
class ApiState:
    settings: Settings
    engine_loader: Loader[Engines]
    api_keys: ApiKeys
    admin_keys: ApiKeys
    metrics: PipelineMetrics
    # The settings' defaults and limits; the generator format's budgets join them once it is loaded.
    policy: RequestPolicy
    solve_service: SolveService | None = None  # once the engines are up
    audit: AuditWriter | None = None  # while the app runs, when answers are recorded


def api_state(app: FastAPI) -> ApiState:
    state: ApiState = app.state.api
    return state


def state_of(request: Request) -> ApiState:
    return api_state(request.app)
