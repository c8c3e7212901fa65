"""Domain errors. They carry their meaning; the web layer maps them to HTTP status codes in one place."""

from __future__ import annotations


class BonError(Exception):
    """Base of every error the service reports to a client."""

    code = "internal_error"

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param  # the request parameter at fault, where there is one (OpenAI's `param`)


class InvalidRequest(BonError):
    code = "invalid_request"


class ProblemTooLong(InvalidRequest):
    code = "problem_too_long"


class UnsupportedParameter(InvalidRequest):
    """A request parameter the service does not honour (OpenAI-compatible routes); `param` names it."""

    code = "unsupported_parameter"

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message, param)


class RequestTooLarge(BonError):
    """The body is over the size the server accepts; refused before it is read whole."""

    code = "request_too_large"


class ModelNotFound(BonError):
    code = "model_not_found"


class UnknownRequest(BonError):
    """No answer with this request id is kept to be continued: never given, another key's, or neither in
    this process nor in the audit store it shares (none at all where answers are not kept)."""

    code = "unknown_request"


class RequestExpired(BonError):
    """The answer was kept, and no longer is: its time to be continued ran out."""

    code = "request_expired"


class RequestBusy(BonError):
    """The request is being continued already."""

    code = "request_busy"


class ContextRefused(BonError):
    """A note for a request that cannot read one (it has answered, or its chains take no notes)."""

    code = "context_refused"


class Unauthenticated(BonError):
    """No valid key was sent."""

    code = "invalid_api_key"


class Forbidden(BonError):
    """A valid key that may not do this (an API key on an admin route)."""

    code = "forbidden"


class NoRecord(BonError):
    """The audit store holds no record of this request."""

    code = "no_record"


class StoreUnavailable(BonError):
    """The audit store is off, or cannot be read or written now."""

    code = "store_unavailable"


class NotReady(BonError):
    """The engines are still loading."""

    code = "not_ready"


class Overloaded(BonError):
    """A 429: `reason` says which limit (queue_full, wait_timeout, rate_requests, rate_tokens)."""

    code = "overloaded"

    def __init__(self, message: str, reason: str = "overloaded") -> None:
        super().__init__(message)
        self.reason = reason


class RateLimited(Overloaded):
    """A key's allowance a minute is spent: retry after `retry_after_s`."""

    code = "rate_limit_exceeded"

    def __init__(self, message: str, retry_after_s: float, headers: dict[str, str], reason: str) -> None:
        super().__init__(message, reason)
        self.retry_after_s = retry_after_s
        self.headers = headers


class EngineError(BonError):
    """An engine failed or answered something unusable; `service` names which one."""

    code = "engine_error"

    def __init__(self, service: str, message: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service


class EngineUnavailable(EngineError):
    """An engine cannot be reached (down, timed out)."""

    code = "engine_unavailable"


class EngineUnreachable(EngineUnavailable):
    """No byte of an answer came back: the engine refused the connection, dropped it before
    answering, or said it cannot serve (502/503/504). Another replica may take the call: this one
    sent nothing a client could have seen."""


class DeadlineExceeded(BonError):
    code = "deadline_exceeded"


class ConfigurationError(Exception):
    """A model or setting the engines cannot start with. Raised while loading, never to a client:
    the loader reports it on /ready instead."""
