"""`calculator`: the value of the expression a chain writes before its `=`, exactly.

It shares the `numeric` checker's arithmetic (a walk over a whitelisted syntax tree of numbers,
``+ - * / ^``, parentheses and percentages; never `eval`), so what the calculator writes is what
the checker would pass. An expression it cannot compute with certainty is an error output: the
chain reads it and may go on.
"""

from __future__ import annotations

import time
from decimal import Decimal
from fractions import Fraction

from app.checks.numeric import compute
from app.tools.calls import ToolResult

NAME = "calculator"
DECIMAL_PLACES = 6  # a value with no exact decimal is rounded to this many places


def calculate(code: str) -> ToolResult:
    started = time.process_time()
    value = compute(code)
    cpu_ms = (time.process_time() - started) * 1000
    if value is None:
        return ToolResult(f"cannot compute {code.strip()!r}", "error", cpu_ms)
    return ToolResult(show(value), "ok", cpu_ms)


def show(value: Fraction) -> str:
    """An integer as one; a fraction as its decimal, exact where it ends within the places."""
    if value.denominator == 1:
        return str(value.numerator)
    rounded = round(value, DECIMAL_PLACES)
    text = format(Decimal(rounded.numerator) / Decimal(rounded.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
