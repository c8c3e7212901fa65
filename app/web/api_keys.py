"""API keys: who may ask. Clients send `Authorization: Bearer <key>`, as with OpenAI and vLLM.

Keys come from settings (`BON_API_KEYS`) and/or a file of keys, one a line (`BON_API_KEYS_FILE`),
re-read when it changes, so a key can be rotated without a restart. A key is never logged: each
has an id (a hash prefix) that is, and that the limits and the audit record use. Comparison is
constant-time, and every configured key is compared, so timing tells nothing about which is close.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request, Response

from app.errors import ConfigurationError
from app.web.errors import ErrorReport
from app.web.request_id import key_id_var

log = logging.getLogger(__name__)

MIN_KEY_CHARS = 16
OPEN_PATHS = frozenset({"/health"})  # a liveness probe carries no key
ADMIN_PREFIX = "/admin/"  # admin routes take admin keys, not API keys: they check their own


def key_id(key: str) -> str:
    """What the logs, the limits and the audit record call a key."""
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def _read_keys(path: Path) -> list[str]:
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise ConfigurationError(f"the API keys file {path} cannot be read: {exc}") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


@dataclass
class ApiKeys:
    """The keys that may call the API; none configured: the API is open."""

    keys: tuple[str, ...] = ()
    path: Path | None = None
    _from_file: tuple[str, ...] = ()
    _mtime: float | None = None
    _ids: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, keys: Iterable[str], path: Path | None) -> ApiKeys:
        found = cls(tuple(k for k in keys if k), path)
        found._reload()
        if any(len(k) < MIN_KEY_CHARS for k in found._all()):
            raise ConfigurationError(f"an API key must have at least {MIN_KEY_CHARS} characters")
        return found

    @property
    def enabled(self) -> bool:
        return bool(self.keys) or self.path is not None

    def identify(self, authorization: str | None) -> str | None:
        """The id of the key in an `Authorization` header; None when it names no valid key."""
        self._reload()
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        given = token.strip().encode()
        match = None
        for key in self._all():  # every key compared: no early exit to time
            if hmac.compare_digest(given, key.encode()):
                match = key
        if match is None:
            return None
        return self._ids.setdefault(match, key_id(match))

    def _all(self) -> tuple[str, ...]:
        return self.keys + self._from_file

    def _reload(self) -> None:
        if self.path is None:
            return
        try:
            mtime = self.path.stat().st_mtime
        except OSError as exc:
            if self._mtime is None:
                raise ConfigurationError(f"the API keys file {self.path} cannot be read: {exc}") from exc
            log.error("the API keys file %s is gone; the keys read last still hold", self.path)
            return
        if mtime != self._mtime:
            keys = _read_keys(self.path)
            strong = tuple(k for k in keys if len(k) >= MIN_KEY_CHARS)
            if len(strong) < len(keys) and self._mtime is not None:  # at start-up, `of` refuses to start
                log.error(
                    "%d keys in %s have fewer than %d characters and are not accepted",
                    len(keys) - len(strong),
                    self.path,
                    MIN_KEY_CHARS,
                )
            self._from_file = strong if self._mtime is not None else tuple(keys)
            self._mtime = mtime
            log.info("read %d API keys from %s", len(self._from_file), self.path)


Respond = Callable[[Request, ErrorReport], Response]


def install_api_keys(app: FastAPI, keys: ApiKeys, respond: Respond) -> None:
    """Refuse every call without a valid key (401 in the route's own error dialect), but to the
    open paths. Installed outermost but the request id, so a refusal has an id too."""
    if not keys.enabled:
        return

    @app.middleware("http")
    async def require_key(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        if request.url.path in OPEN_PATHS or request.url.path.startswith(ADMIN_PREFIX):
            return await call_next(request)
        found = keys.identify(request.headers.get("authorization"))
        if found is None:
            response = respond(
                request,
                ErrorReport(401, "invalid_api_key", "a valid API key is needed: send Authorization: Bearer <key>"),
            )
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        token = key_id_var.set(found)
        try:
            return await call_next(request)
        finally:
            key_id_var.reset(token)


def install_key_headers(app: FastAPI, headers_for: Callable[[str], dict[str, str]]) -> None:
    """Headers about the calling key on every answer (its rate limits, as OpenAI's API sends them).
    Installed inside the key check, which says who is calling."""

    @app.middleware("http")
    async def key_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in headers_for(key_id_var.get()).items():
            response.headers.setdefault(name, value)
        return response
