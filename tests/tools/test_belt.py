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
    assert tools.triggers == ("=", "A:")
    made = asyncio.run(tools.interject("37+48=85\n85-91=", "="))
    assert made is not None and made.text == "-6\n"
    call = made.call
    assert (call.tool, call.code, call.step, call.result.outcome) == ("calculator", "85-91", 1, "ok")


@pytest.mark.parametrize(
    ("text", "code", "written"),
    [
        ("37+48=85\n*3=", "85*3", "255\n"),
        ("13-86=-73\n*8=", "-73*8", "-584\n"),
        ("99*9=8991\n*9=80919\n-40=", "80919-40", "80879\n"),
    ],
)
def test_a_step_that_starts_with_its_operator_goes_on_from_the_previous_result(
    text: str, code: str, written: str
) -> None:
    made = asyncio.run(belt().interject(text, "="))
    assert made is not None and (made.call.code, made.text) == (code, written)


def test_the_answer_line_is_filled_with_the_last_result_the_chain_could_not_copy() -> None:
    made = asyncio.run(belt().interject("13-86=-73\n*8=-584\nA:", "A:"))
    assert made is not None and (made.call.code, made.text) == ("-584", "-584")
    assert asyncio.run(belt().interject("A:", "A:")) is None  # nothing to fill it from


def test_a_code_template_naming_a_group_the_call_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="lacks: left"):
        ToolSyntax(trigger="=", call=r"(?P<code>\d+)=$", code="{left}{code}", result="{output}")


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
