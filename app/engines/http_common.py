"""What the remote adapters share: one pooled httpx client per remote service, and the mapping
of transport failures to domain errors that name the service."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

import httpx

from app.errors import EngineError, EngineUnavailable, EngineUnreachable, InvalidRequest


def make_client(base_url: str, timeout_s: float, max_connections: int = 64) -> httpx.AsyncClient:
    """A pooled client: the N chains of many concurrent requests reuse a few keep-alive connections."""
    return httpx.AsyncClient(
        base_url=base_url.rstrip("/"),
        timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)),
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
    )


async def probe(client: httpx.AsyncClient, service: str, path: str) -> None:
    """GET a health route; raise as `request_json` does unless it answers 2xx (body ignored)."""
    await _send(client, service, "GET", path, None, None)


async def request_json(
    client: httpx.AsyncClient,
    service: str,
    method: str,
    path: str,
    body: Any | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Send one request and return its decoded JSON body.

    Unreachable or 502/503/504 → `EngineUnreachable`, timed out → `EngineUnavailable` (the API answers
    503 to both); any other error status or a body that is not JSON → `EngineError` (424). All name `service`."""
    response = await _send(client, service, method, path, body, headers)
    try:
        return response.json()
    except ValueError as exc:
        raise EngineError(service, f"{response.url} answered something that is not JSON: {_excerpt(response)}") from exc


async def _send(
    client: httpx.AsyncClient, service: str, method: str, path: str, body: Any | None, headers: dict[str, str] | None
) -> httpx.Response:
    url = f"{client.base_url}{path}"
    for attempt in (1, 2):
        try:
            response = await client.request(method, path, json=body, headers=headers)
            break
        except httpx.ConnectTimeout as exc:
            raise EngineUnreachable(service, f"cannot connect to {url} within {client.timeout.connect} s") from exc
        except httpx.TimeoutException as exc:
            raise EngineUnavailable(service, f"no answer from {url} within {client.timeout.read} s") from exc
        except httpx.TransportError as exc:
            # A pooled keep-alive connection can be dead (the service restarted, or closed it
            # idle): one retry on a fresh connection. A service that is down fails again at once.
            if attempt == 2:
                raise EngineUnreachable(service, f"cannot reach {url}: {type(exc).__name__}: {exc}") from exc
    _check_status(service, url, response)
    return response


async def stream_events(
    client: httpx.AsyncClient, service: str, path: str, body: Any, headers: dict[str, str] | None = None
) -> AsyncGenerator[Any, None]:
    """POST and yield the JSON of each server-sent event until `[DONE]`, with failures mapped as
    `request_json` maps them. Closing the iterator closes the connection, which is how a vLLM
    server learns to abort the request. A connection lost before the first event is
    `EngineUnreachable`: nothing of the answer was seen."""
    url = f"{client.base_url}{path}"
    started = False
    try:
        async with client.stream("POST", path, json=body, headers=headers) as response:
            if response.status_code >= 400:
                await response.aread()
                _check_status(service, url, response)
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue  # blank separators, comments, event names
                data = line.removeprefix("data:").strip()
                if data == "[DONE]":
                    return
                try:
                    event = json.loads(data)
                except ValueError as exc:
                    raise EngineError(service, f"{url} streamed something that is not JSON: {data[:300]}") from exc
                if isinstance(event, dict) and "error" in event:  # vLLM reports a failure mid-stream so
                    raise EngineError(service, f"{url} failed mid-stream: {str(event['error'])[:300]}")
                started = True
                yield event
    except httpx.ConnectTimeout as exc:
        raise EngineUnreachable(service, f"cannot connect to {url} within {client.timeout.connect} s") from exc
    except httpx.TimeoutException as exc:
        raise EngineUnavailable(service, f"{url} went silent for {client.timeout.read} s") from exc
    except httpx.TransportError as exc:
        lost = EngineUnavailable if started else EngineUnreachable
        raise lost(service, f"lost {url}: {type(exc).__name__}: {exc}") from exc
    raise EngineError(service, f"{url} ended its stream without [DONE]")


def _check_status(service: str, url: str, response: httpx.Response) -> None:
    if response.status_code in (502, 503, 504):  # down, loading, or behind a proxy that cannot reach it
        raise EngineUnreachable(service, f"{url} answered {response.status_code}: {_excerpt(response)}")
    if response.status_code == 422:  # the input itself is wrong (e.g. a chain too long to score)
        raise InvalidRequest(f"{service}: {_error_message(response)}")
    if response.status_code >= 400:
        raise EngineError(service, f"{url} refused the request ({response.status_code}): {_excerpt(response)}")


def _error_message(response: httpx.Response) -> str:
    """The message of our own error envelope, or an excerpt of whatever else came back."""
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return _excerpt(response)


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")
