"""The body cap (BON_MAX_REQUEST_BYTES): an oversized body is answered 413 in the route's dialect,
before it is read whole: a declared size is refused on its headers, a chunked body once it passes
the cap, so the server never holds more than the cap of it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import select
import socket
from collections.abc import Iterator

import pytest
from starlette.types import Message, Receive, Scope, Send

from app.config import Settings
from app.main import create_app
from app.web.body_limit import BodyLimit
from lab.background_server import BackgroundServer, free_port, start_background_server
from tests.fakes import fake_engines

KEY = "sk-body-limit-test-key"
CAP = 64 * 1024
ROUTES = {"native": "/solve", "openai": "/v1/chat/completions"}


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    """The app on fake engines behind a real uvicorn: the cap is about bytes on a socket."""
    port = free_port()
    settings = Settings(port=port, api_keys=[KEY], max_request_bytes=CAP)
    app = create_app(settings, engines=fake_engines())
    running = start_background_server(app, port, ready_path="/health")
    try:
        yield running
    finally:
        running.stop()


def _head(path: str, port: int, length: str | None) -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else "Transfer-Encoding: chunked\r\n"
    return (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {KEY}\r\n"
        f"Content-Type: application/json\r\n{size}\r\n"
    ).encode()


def _response(sock: socket.socket) -> tuple[int, dict[str, str], dict[str, object]]:
    """Status, headers and JSON body of the one response on the socket (read until it closes; a
    reset after the answer is the server dropping the unread rest of the body)."""
    data = b""
    sock.settimeout(10)
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body)


def _sent_until_answered(sock: socket.socket, chunk: bytes, most: int) -> int:
    """Send `chunk` framed as HTTP chunks until the server answers (or stops reading): the bytes sent."""
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    sock.settimeout(5)
    while sent < most:
        if select.select([sock], [], [], 0)[0]:
            break  # the refusal is waiting to be read
        try:
            sock.sendall(frame)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            break
        sent += len(chunk)
    return sent


def _assert_refused(dialect: str, status: int, headers: dict[str, str], body: dict[str, object]) -> None:
    assert status == 413
    assert headers["connection"] == "close" and "x-request-id" in headers
    if dialect == "openai":
        error = body["error"]
        assert isinstance(error, dict)
        assert error["type"] == "invalid_request_error" and error["code"] == "request_too_large"
        assert "BON_MAX_REQUEST_BYTES" in error["message"]
    else:
        error = body["error"]
        assert isinstance(error, dict) and error["code"] == "request_too_large"
        assert "BON_MAX_REQUEST_BYTES" in error["message"] and error["request_id"] == headers["x-request-id"]


@pytest.mark.parametrize("dialect", ROUTES)
def test_a_declared_200_mb_body_is_refused_on_its_headers(server: BackgroundServer, dialect: str) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(_head(ROUTES[dialect], port, str(200 * 2**20)) + b'{"problem": "' + b"1" * 4096)
        status, headers, body = _response(sock)
    _assert_refused(dialect, status, headers, body)


@pytest.mark.parametrize("dialect", ROUTES)
def test_a_chunked_body_is_refused_once_it_passes_the_cap(server: BackgroundServer, dialect: str) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(_head(ROUTES[dialect], port, None))
        sent = _sent_until_answered(sock, b"1" * 16384, most=200 * 2**20)
        status, headers, body = _response(sock)
    _assert_refused(dialect, status, headers, body)
    # Far short of the 200 MB offered: the server stopped reading soon after the cap (what is left
    # in flight is the sockets' buffers).
    assert sent < 64 * CAP


def test_a_body_under_the_cap_is_served(server: BackgroundServer) -> None:
    with server.client() as client:
        answer = client.post("/solve", json={"problem": "2+3", "n": 2}, headers={"Authorization": f"Bearer {KEY}"})
    assert answer.status_code == 200, answer.text


def test_the_app_never_receives_more_than_the_cap() -> None:
    """An endless body: the app behind the cap is handed at most the cap's worth before the 413."""
    pulled = 0
    handed: list[int] = []

    async def endless() -> Message:
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": b"x" * 1000, "more_body": True}

    async def greedy(scope: Scope, receive: Receive, send: Send) -> None:
        while True:  # reads the whole body, as a JSON parser would
            message = await receive()
            handed.append(len(message["body"]))

    sent: list[Message] = []

    async def collect(message: Message) -> None:
        sent.append(message)

    def respond(request: object, report: object) -> object:
        from fastapi.responses import JSONResponse

        return JSONResponse({"error": "request_too_large"}, status_code=413)

    limited = BodyLimit(greedy, max_bytes=10_000, respond=respond)  # type: ignore[arg-type]
    scope: Scope = {"type": "http", "method": "POST", "path": "/solve", "headers": [], "query_string": b""}
    asyncio.run(limited(scope, endless, collect))
    assert sum(handed) <= 10_000 and pulled == 11
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 413
