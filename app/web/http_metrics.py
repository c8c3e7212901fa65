"""Prometheus metrics of an app: requests and latency by route and status on `GET /metrics`, on a
registry of the app's own (so two apps in one process, as in the tests, count apart)."""

from __future__ import annotations

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator


def install_metrics(app: FastAPI) -> CollectorRegistry:
    """Instrument every route and expose `/metrics`; returns the registry for the app's own metrics."""
    registry = CollectorRegistry()
    Instrumentator(registry=registry, should_group_status_codes=False).instrument(app).expose(
        app, include_in_schema=False, should_gzip=False
    )
    return registry
