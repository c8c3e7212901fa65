"""The belt: which call a paused chain made, what is appended, and the request's limit on calls."""

from __future__ import annotations

import asyncio

import pytest

from app.formats.resolve import load_preset
from app.formats.spec import GeneratorFormat, ToolSyntax
from app.tools.belt import ToolBelt, ToolRunners
from app.tools.calculator import calculate
from app.tools.calls import ToolResult

ARITH = load_preset("arith").generator
assert ARITH is not None
# GSM8K's calculator annotations, as Cobbe et al. sampled with them: `<<48+37=` → `85>>`.
GSM8K = GeneratorFormat(
    tools={"calculator": ToolSyntax(trigger="=", call=r"<<(?P<code>[^<>=]+)=$", result="{output}>>")}
)


async def calculator(code: str) -> ToolResult:
    return calculate(code)


RUNNERS = ToolRunners({"calculator": calculator})


def belt(fmt: GeneratorFormat = ARITH, max_calls: int = 8) -> ToolBelt:
    return ToolBelt(["calculator"], RUNNERS, fmt, max_calls)


def test_the_shipped_notation_gets_a_steps_value_and_its_end() -> None:
    tools = belt()
    assert tools.triggers == ("=",)
    made = asyncio.run(tools.interject("37+48=85\n85-91=", "="))
    assert made is not None and made.text == "-6\n"
    call = made.call
    assert (call.tool, call.code, call.step, call.result.outcome) == ("calculator", "85-91", 1, "ok")


def test_gsm8k_annotations_are_closed_with_the_value() -> None:
    made = asyncio.run(belt(GSM8K).interject("Natalia sold 48+37 = <<48+37=", "="))
    assert made is not None and made.text == "85>>"


@pytest.mark.parametrize("text", ["A:12=", "37+48=85\nhello=", ""])
def test_a_trigger_with_no_call_before_it_appends_nothing(text: str) -> None:
    assert asyncio.run(belt().interject(text, "=")) is None


def test_calls_past_the_requests_limit_are_refused_and_append_nothing() -> None:
    tools = belt(max_calls=1)
    first = asyncio.run(tools.interject("37+48=", "="))
    second = asyncio.run(tools.interject("37+48=85\n85*3=", "="))
    assert first is not None and first.text == "85\n"
    assert second is not None and second.text == "" and second.call.result.outcome == "refused"
    assert tools.calls == 2


def test_a_server_runs_only_the_tools_it_has_and_the_format_calls() -> None:
    assert RUNNERS.usable(ARITH) == ("calculator",)
    assert RUNNERS.usable(GeneratorFormat()) == ()
