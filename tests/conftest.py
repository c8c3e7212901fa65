"""Shared fixtures. The real vLLM engines start once per test session (start-up is ~35 s each)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.background_server import BackgroundServer, start_background_server
from app.config import SHIPPED_MODELS, Settings
from app.main import create_app

LiveServer = BackgroundServer


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def shipped_models() -> Path:
    for kind in ("generator", "prm", "orm"):
        assert (SHIPPED_MODELS / f"arith-{kind}" / "model.safetensors").exists(), f"arith-{kind} is not shipped"
    return SHIPPED_MODELS


@pytest.fixture(scope="session")
def live_server(shipped_models: Path) -> Iterator[LiveServer]:
    """The app on the real embedded engines with the shipped models, served on loopback."""
    port = free_port()
    server = start_background_server(create_app(Settings(port=port, request_timeout_s=300)), port)
    try:
        yield server
    finally:
        server.stop()
