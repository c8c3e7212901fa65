"""The python tool over httpx: the reward worker runs a chain's code in its own sandbox
(`POST /tool`), so no code runs beside the API. Calls go to the replica the request's scoring goes
to. A call that fails on the way is an error output for the chain, never the request's failure."""

from __future__ import annotations

from pydantic import ValidationError

from app.engines.replicas import ReplicaPool
from app.errors import BonError
from app.reward_wire import ToolRequest, ToolResponse
from app.tools.calls import ToolResult
from app.web.request_id import request_id_var


class RemoteTool:
    def __init__(self, pool: ReplicaPool) -> None:
        self._pool = pool

    async def run(self, code: str) -> ToolResult:
        key = request_id_var.get()
        try:
            raw = await self._pool.request_json(key, "POST", "/tool", ToolRequest(code=code).model_dump())
            answer = ToolResponse.model_validate(raw)
        except (BonError, ValidationError) as exc:
            return ToolResult(f"the sandbox could not run the code: {exc}", "error")
        return ToolResult(answer.output, answer.outcome, answer.cpu_ms, answer.exit_status)
