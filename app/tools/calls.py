"""What a tool call inside a chain is, as the pipeline, the audit record and the metrics see it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

# How a call ended: a result; an error the tool reported (the code raised, the expression did not
# compute); killed at a limit (time, memory, output); refused (the request's calls were spent, or
# the tool is busy past its wait).
ToolOutcome = Literal["ok", "error", "limit", "refused"]
TOOL_OUTCOMES: tuple[ToolOutcome, ...] = ("ok", "error", "limit", "refused")


@dataclass(frozen=True, slots=True)
class ToolResult:
    """What a tool gave back: its output (or error message), how it ended, and what it cost."""

    output: str
    outcome: ToolOutcome
    cpu_ms: float = 0.0
    exit_status: int | None = None  # a process's (the python tool's); None for the calculator

    @property
    def failed(self) -> bool:
        return self.outcome != "ok"


@dataclass(frozen=True, slots=True)
class ToolCall:
    """One call in one chain: `step` is the step of the chain it was made in (0-based, counted as
    the format splits steps), `code` what the tool was given, `written` what was appended."""

    tool: str
    code: str
    result: ToolResult
    written: str
    step: int
    wall_ms: float


@dataclass(frozen=True, slots=True)
class Interjection:
    """Text appended to a paused chain, and the call that wrote it."""

    text: str
    call: ToolCall


class Interjector(Protocol):
    """A request's tools, as the sampler sees them: the stop strings that pause a chain, and what
    to append to a chain paused at one (None: nothing; the chain goes on as it was)."""

    @property
    def triggers(self) -> tuple[str, ...]: ...

    async def interject(self, chain_text: str, trigger: str) -> Interjection | None: ...
