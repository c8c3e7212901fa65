"""Run the app with uvicorn on loopback in a background thread (tests and benchmarks).

The engines live on that thread's event loop; `call` runs a coroutine there, so a caller can
use the very engines the server uses (one engine set per process).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI

T = TypeVar("T")


_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now, and that this process has not handed out
    before: a port handed out is often bound only later (a server loading its model), and the
    system may offer it again meanwhile."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


@dataclass
class BackgroundServer:
    url: str
    app: FastAPI
    loop: asyncio.AbstractEventLoop
    server: uvicorn.Server
    thread: threading.Thread

    def client(self, timeout: float = 300.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 300.0) -> T:
        """Run a coroutine on the server's event loop, where its engines live."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self, timeout: float = 120.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def start_background_server(
    app: FastAPI, port: int, ready_path: str = "/ready", timeout: float = 600.0
) -> BackgroundServer:
    """Start serving `app` and wait until `ready_path` answers 200."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    loop = asyncio.new_event_loop()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(server.serve())

    thread = threading.Thread(target=run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=url, timeout=10) as client:
        while time.monotonic() < deadline and thread.is_alive():
            try:
                if client.get(ready_path).status_code == 200:
                    return BackgroundServer(url, app, loop, server, thread)
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    server.should_exit = True
    raise RuntimeError(f"the server on port {port} did not become ready within {timeout:.0f} s")
