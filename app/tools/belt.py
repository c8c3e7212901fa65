"""`ToolBelt`: one request's tools, as its chains call them.

The format says how each tool is called and how its result is written back (`ToolSyntax`); the
service says which tools run (`ToolRunners`, built once); the request says which it uses and how
many calls it may make. A chain paused at a trigger gets the first of its tools whose call the
chain's text ends with; a call over the request's limit is refused (nothing is appended: the chain
goes on and writes what it would have), a failing tool's error is appended for the chain to read.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from app.formats.reading import settled_steps
from app.formats.spec import GeneratorFormat, ToolSyntax
from app.tools.calls import Interjection, ToolCall, ToolResult

Runner = Callable[[str], Awaitable[ToolResult]]  # code → result
# The longest tail of a chain a call is looked for in: a call is one step, not the whole chain.
CALL_WINDOW_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class ToolRunners:
    """The tools this server runs, by name (the calculator always; python when enabled)."""

    runners: Mapping[str, Runner]

    def usable(self, fmt: GeneratorFormat) -> tuple[str, ...]:
        """The tools the format calls that this server runs: what `tools: auto` uses."""
        return tuple(name for name in fmt.tools if name in self.runners)


class ToolBelt:
    def __init__(self, names: Sequence[str], runners: ToolRunners, fmt: GeneratorFormat, max_calls: int) -> None:
        self._fmt = fmt
        self._tools: list[tuple[str, ToolSyntax, re.Pattern[str], Runner]] = [
            (name, syntax, re.compile(syntax.call), runners.runners[name])
            for name in names
            for syntax in fmt.tool_syntaxes(name)
        ]
        self._calls_left = max_calls
        self.calls = 0  # made, refused ones included

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(syntax.trigger for _, syntax, _, _ in self._tools))

    async def interject(self, chain_text: str, trigger: str) -> Interjection | None:
        tail = chain_text[-CALL_WINDOW_CHARS:]
        for name, syntax, call, runner in self._tools:
            if syntax.trigger != trigger:
                continue
            found = call.search(tail)
            if found is None or found.end() != len(tail):
                continue
            return await self._call(name, syntax, syntax.code_of(found), runner, chain_text)
        return None

    async def _call(self, name: str, syntax: ToolSyntax, code: str, runner: Runner, chain_text: str) -> Interjection:
        step = len(settled_steps(chain_text, self._fmt))
        started = time.perf_counter()
        self.calls += 1
        if self._calls_left <= 0:
            refused = ToolResult("this request's tool calls are spent", "refused")
            return Interjection("", ToolCall(name, code, refused, "", step, 0.0))
        self._calls_left -= 1
        result = await runner(code)
        written = syntax.written(result.output, result.failed)
        wall_ms = (time.perf_counter() - started) * 1000
        return Interjection(written, ToolCall(name, code, result, written, step, wall_ms))
