"""`latex`: equalities between LaTeX expressions in a step (``$3 \\times 85 = 255$``,
``\\[ \\frac{3}{4} + 1 = \\frac{7}{4} \\]``), as Qwen2.5-Math and R1-style models write them.

Each math span (``$…$``, ``$$…$$``, ``\\(…\\)``, ``\\[…\\]``) is split at its top-level ``=``
signs and each side read by the LaTeX parser math-verify uses (latex2sympy), without evaluating.
A side with a variable makes an equation, not a claim (``2x + 3 = 7`` is true for some x), so it
can pass as an identity (``(x+1)^2 = x^2+2x+1``) and never fail. Sides without one are compared
by value, exactly where SymPy can and to 40 digits otherwise; a decimal written with k places may
be rounded to them. Sizes are bounded before anything is evaluated (the equivalence module's digit
bound).

Parsing LaTeX can take long on adversarial input, so this checker is `heavy`: it runs in a process
pool that kills a check on its timeout (`app/engines/check_pool.py`), never in the API's own
process.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from latex2sympy2_extended import latex2sympy
from sympy import Expr, Float, Rational, simplify

from app.checks.verdicts import NO_CLAIM, StepCheck
from app.core.equivalence import MAX_BRACKET_DEPTH, MAX_DIGITS, digits_bound

NAME, VERSION = "latex", "1"

_MAX_SIDE_CHARS = 200
_SPAN = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
_DROP = re.compile(r"\\(?:text|mathrm|textbf|mbox)\{[^{}]*\}|\\[,;:! ]|\\quad|\\qquad|\\left|\\right|&")
_BOXED = re.compile(r"\\boxed\{")
_THOUSANDS = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:(?:\{,\}|,)[0-9]{3})+(?![0-9])")
_DECIMAL = re.compile(r"-?[0-9]+\.([0-9]+)")
_RELATION = re.compile(r"\\(?:le|ge|ne|neq|leq|geq|lt|gt|approx|sim|equiv|pm|mp)(?![A-Za-z])|[<>]")


class LatexChecker:
    name, version = NAME, VERSION

    def check(self, problem: str, previous: Sequence[str], step: str) -> StepCheck:
        passed: StepCheck | None = None
        for left, right in claims(step):
            try:
                verdict = judge(left, right)
            except Exception:  # the parser raises anything on odd input: that is no claim
                verdict = None
            if verdict is not None and verdict.verdict == "fail":
                return verdict
            passed = passed or verdict
        return passed or NO_CLAIM


def claims(step: str) -> list[tuple[str, str]]:
    """Each `left = right` inside the step's math spans, as LaTeX texts."""
    found: list[tuple[str, str]] = []
    for span in _SPAN.finditer(step.replace("\\$", "")):  # an escaped dollar is a currency sign
        body = next(group for group in span.groups() if group is not None)
        body = _THOUSANDS.sub(lambda m: m.group(0).replace("{,}", "").replace(",", ""), body)
        sides = _top_level_split(_unboxed(_DROP.sub(" ", body)))
        found.extend((a.strip(), b.strip()) for a, b in itertools.pairwise(sides) if a.strip() and b.strip())
    return found


def _unboxed(text: str) -> str:
    return _BOXED.sub("{", text)


def _top_level_split(text: str) -> list[str]:
    """`text` cut at each ``=`` outside braces; a side that holds another relation is dropped."""
    sides, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += (char == "{") - (char == "}")
        if char == "=" and depth == 0:
            sides.append(text[start:i])
            start = i + 1
    sides.append(text[start:])
    return [side if not _RELATION.search(side) else "" for side in sides]


def judge(left: str, right: str) -> StepCheck | None:
    """`left = right` checked; None when it says nothing that can be told."""
    lhs, rhs = _parse(left), _parse(right)
    if lhs is None or rhs is None:
        return None
    claim = f"{left}={right}"
    if lhs.free_symbols or rhs.free_symbols:
        return StepCheck("pass", NAME, claim, None) if simplify(lhs - rhs) == 0 else None
    exact = {f: Rational(str(f)) for f in (lhs.atoms(Float) | rhs.atoms(Float))}
    lhs, rhs = lhs.xreplace(exact), rhs.xreplace(exact)
    difference = abs((lhs - rhs).evalf(40))
    if not difference.is_Number or _has_nonreal(lhs) or _has_nonreal(rhs):
        return None  # undefined (a pole, 0/0), or not a real number to compare
    value = str(lhs.evalf(15))
    if difference < Rational(1, 10**30) * (1 + abs(rhs.evalf(40))):
        return StepCheck("pass", NAME, claim, value)
    for written in (right, left):
        places = _places(written)
        if places and difference <= Rational(1, 2 * 10**places):
            return StepCheck("pass", NAME, claim, value)  # rounded to the places it is written with
    return StepCheck("fail", NAME, claim, value)


def _places(text: str) -> int | None:
    match = _DECIMAL.fullmatch(text.strip())
    return len(match.group(1)) if match else None


def _has_nonreal(expr: Expr) -> bool:
    return not isinstance(expr, Expr) or expr.is_real is False


def _parse(text: str) -> Expr | None:
    """The side as an unevaluated SymPy expression, or None if it is not one we can bound."""
    if not text or len(text) > _MAX_SIDE_CHARS or _depth(text) > MAX_BRACKET_DEPTH * 2:
        return None
    expr = latex2sympy(text)
    if not isinstance(expr, Expr):
        return None
    digits = digits_bound(expr)
    if digits is None or digits > MAX_DIGITS:
        return None
    return expr.doit()  # a percentage is kept unevaluated by the parser


def _depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        depth += (char in "({[") - (char in ")}]")
        deepest = max(deepest, depth)
    return deepest
