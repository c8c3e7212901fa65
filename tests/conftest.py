"""Shared fixtures. The real vLLM engines start once per test session (start-up is ~35 s each)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from app.config import SHIPPED_MODELS, Settings
from app.main import create_app

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    """The app on real engines, served by uvicorn on loopback in a background thread."""

    url: str
    app: FastAPI
    loop: asyncio.AbstractEventLoop

    def client(self, timeout: float = 300.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 300.0) -> T:
        """Run a coroutine on the server's event loop, where its engines live."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)


def start_server(app: FastAPI, port: int, ready_path: str = "/ready", timeout: float = 600.0) -> tuple[
    uvicorn.Server, threading.Thread, asyncio.AbstractEventLoop
]:
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.serve())

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
        while time.monotonic() < deadline:
            try:
                if client.get(ready_path).status_code == 200:
                    return server, thread, loop
            except httpx.TransportError:
                pass
            if not thread.is_alive():
                break
            time.sleep(0.5)
    server.should_exit = True
    raise RuntimeError(f"the server on port {port} did not become ready")


@pytest.fixture(scope="session")
def shipped_models() -> Path:
    for kind in ("generator", "prm", "orm"):
        assert (SHIPPED_MODELS / f"arith-{kind}" / "model.safetensors").exists(), f"arith-{kind} is not shipped"
    return SHIPPED_MODELS


@pytest.fixture(scope="session")
def live_server(shipped_models: Path) -> Iterator[LiveServer]:
    port = free_port()
    settings = Settings(port=port, max_concurrent_requests=32, request_timeout_s=300)
    app = create_app(settings)
    server, thread, loop = start_server(app, port)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", app, loop)
    finally:
        server.should_exit = True
        thread.join(120)
