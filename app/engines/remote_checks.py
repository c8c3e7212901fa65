"""The heavy step checkers over httpx: the reward worker runs them in its own process pool
(`POST /check`), so the API process never parses chain LaTeX. Calls go to the replica the
request's scoring goes to."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from app.checks.verdicts import StepCheck
from app.engines.check_pool import CheckItem
from app.engines.protocols import REWARD_MODEL
from app.engines.replicas import ReplicaPool
from app.errors import EngineError
from app.reward_wire import CheckItem as WireItem
from app.reward_wire import CheckRequest, CheckResponse
from app.web.request_id import HEADER as REQUEST_ID


class RemoteChecks:
    def __init__(self, pool: ReplicaPool) -> None:
        self._pool = pool

    async def check(self, name: str, problem: str, items: Sequence[CheckItem], request_id: str) -> list[StepCheck]:
        body = CheckRequest(problem=problem, checker=name, items=[WireItem(previous=list(p), step=s) for p, s in items])
        raw = await self._pool.request_json(
            request_id, "POST", "/check", body.model_dump(), headers={REQUEST_ID: request_id}
        )
        try:
            answer = CheckResponse.model_validate(raw)
        except ValidationError as exc:
            raise EngineError(REWARD_MODEL, f"the worker's answer is not a check response: {exc}") from exc
        if len(answer.checks) != len(items):
            raise EngineError(
                REWARD_MODEL, f"sent {len(items)} steps to check, the worker answered {len(answer.checks)}"
            )
        return [StepCheck(**c.model_dump()) for c in answer.checks]

    async def close(self) -> None:
        """The pool belongs to the scorer that shares it."""
