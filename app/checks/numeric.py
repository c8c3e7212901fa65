"""`numeric`: a calculator over the arithmetic claims a step writes in plain text.

It reads GSM8K's annotations (``<<48+37=85>>``) and equalities in free text (``3 * 85 = 255``,
``$1,200 / 4 = $300``, ``20% * 50 = 10``, ``0.5 + 1/4 = 0.75``) and evaluates both sides exactly
(`Fraction`) by a walk over a whitelisted syntax tree: numbers, ``+ - * / ^``, parentheses, unary
signs. Nothing is ever `eval`-ed. A side it cannot read with certainty makes the claim `none`:
a letter glued to the expression (``2x + 3 = 7`` is an equation, not a claim), a word between
operands (``3 hours * 60``), a unicode digit, anything too long, too deep or too large.

A false claim fails only when no reading of it holds: a decimal result may be rounded to the
places it is written with, a running total (``5 + 3 = 8 - 2 = 6``) passes on its first number,
and a percentage may be written as one (``1/4 = 25%``) or as its hundredfold (``25/100*100 = 25%``).
"""

from __future__ import annotations

import ast
import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from app.checks.verdicts import NO_CLAIM, StepCheck
from app.core.equivalence import MAX_DIGITS

NAME, VERSION = "numeric", "1"

_MAX_EXPRESSION_CHARS = 160
_MAX_DEPTH = 8
_MAX_EXPONENT = 64
_LOG10_2 = math.log10(2)

_ANNOTATION = re.compile(r"<<([^<>=]{1,200})=([^<>=]{1,60})>>")
# What an expression may be made of, once normalized; ASCII digits only (a unicode digit is not
# a number here: `int` would read it, and a claim in it cannot be told from text).
_EXPRESSION_CHARS = r"0-9.,%()+\-*/^ "
_TAIL = re.compile(rf"[{_EXPRESSION_CHARS}]*$")
_HEAD = re.compile(rf"^[{_EXPRESSION_CHARS}]*")
_THOUSANDS = re.compile(r"(?<![0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])")
_TIMES = re.compile(r"(?<=[0-9)])\s*[x×·∙⋅]\s*(?=[0-9(])")
_LEADING_NUMBER = re.compile(r"^\s*-?[0-9]+(?:\.[0-9]+)?%?")
_GLUED = re.compile(r"[A-Za-z_\\{}\[\]^]")
_PAUSE = re.compile(r",|\.(?=\s)")  # ", " and ". " end an expression; "1,000" was joined first
_INTEGER = re.compile(r"-?[0-9]+")
_OPERATOR = re.compile(r"[0-9.)%]\s*[-+*/^]\s*[-+(.0-9]")


@dataclass(frozen=True, slots=True)
class _Side:
    text: str  # normalized
    value: Fraction
    places: int | None  # a bare decimal literal's places (what it may be rounded to); None: not a literal
    percent: bool  # a bare literal written with %


class NumericChecker:
    name, version = NAME, VERSION

    def check(self, problem: str, previous: Sequence[str], step: str) -> StepCheck:
        try:
            return check_text(step)
        except (ArithmeticError, ValueError, RecursionError, MemoryError, SyntaxError, TypeError):
            return NO_CLAIM


def check_text(text: str) -> StepCheck:
    """The step's verdict: `fail` if any claim in it is false, else `pass` if any is true, else
    `none` — with the computation it read where the step set one equal to nothing (`unfinished`)."""
    passed: StepCheck | None = None
    for left, right in claims(text):
        verdict = judge(left, right)
        if verdict is not None and verdict.verdict == "fail":
            return verdict
        passed = passed or verdict
    return passed or unfinished(text) or NO_CLAIM


def unfinished(text: str) -> StepCheck | None:
    """A computation the step ends on, set equal to nothing (``37-82=``): no claim, so `none`, but
    with what the calculator read and computed — a chain that writes one and goes on has gone on
    from a number it did not compute."""
    plain = _normalized(_ANNOTATION.sub(" ; ", text)).rstrip()
    if not plain.endswith("=") or plain.endswith("=="):
        return None
    left = _tail(plain[:-1])
    if left is None or not _OPERATOR.search(left):
        return None
    side = _side(left)
    return StepCheck("none", NAME, f"{side.text}=", _show(side.value)) if side is not None else None


def claims(text: str) -> list[tuple[str, str]]:
    """Each equality the text writes, as (left, right) expression texts."""
    found = [(m.group(1), m.group(2)) for m in _ANNOTATION.finditer(text)]
    plain = _normalized(_ANNOTATION.sub(" ; ", text))
    segments = plain.split("=")
    for before, after in itertools.pairwise(segments):
        left, right = _tail(before), _head(after)
        if left is not None and right is not None:
            found.append((left, right))
    return found


def judge(left: str, right: str) -> StepCheck | None:
    """A claim `left = right` checked; None when it is not a computation that can be told."""
    if not (_OPERATOR.search(left) or _OPERATOR.search(right)):
        return None  # `x = 5`, `12 = 12`: nothing computed
    lhs, rhs = _side(left), _side(right)
    if lhs is None or rhs is None:
        return None
    claim = f"{lhs.text}={rhs.text}"
    if any(_holds(lhs, r) for r in _readings(rhs)) or any(_holds(rhs, r) for r in _readings(lhs)):
        return StepCheck("pass", NAME, claim, _show(lhs.value))
    running = _LEADING_NUMBER.match(right)  # `5 + 3 = 8 - 2 = 6`: the first number is this claim's
    if running is not None and running.group(0).strip() != right.strip():
        first = _side(running.group(0))
        if first is not None and any(_holds(lhs, r) for r in _readings(first)):
            return StepCheck("pass", NAME, f"{lhs.text}={first.text}", _show(lhs.value))
    return StepCheck("fail", NAME, claim, _show(lhs.value))


def _readings(side: _Side) -> list[_Side]:
    """A bare percentage also reads as its hundredfold (``= 25%`` after ``*100``)."""
    if not side.percent:
        return [side]
    return [side, _Side(side.text, side.value * 100, side.places, False)]


def _holds(computed: _Side, written: _Side) -> bool:
    if computed.value == written.value:
        return True
    if written.places is None or written.places == 0:
        return False  # an integer result is exact; an expression, too
    return abs(computed.value - written.value) <= Fraction(1, 2 * 10**written.places)


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _normalized(text: str) -> str:
    text = text.replace("\u2212", "-").replace("÷", "/").replace("$", "")
    text = _TIMES.sub("*", text)
    return _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)


def _tail(segment: str) -> str | None:
    """The expression that ends `segment` (the left of an `=`), or None if it is cut from
    something it cannot be read without."""
    match = _TAIL.search(segment)
    assert match is not None  # the pattern matches the empty string
    run = _PAUSE.split(match.group(0))[-1]  # a comma or a full stop here separates, not groups
    before = segment[: len(segment) - len(run)]
    expr = run.strip()
    if not expr or not (expr[0].isdigit() or expr[0] in "(-."):
        return None  # begins with an operator: its left operand is a word or a letter
    lead = run[: len(run) - len(run.lstrip())]
    glued = (before + lead)[-1:] if expr[0] != "-" else before.rstrip()[-1:]
    if glued and _GLUED.match(glued):
        return None  # `x - 5`, `a2 + 3`: part of something larger
    return expr


def _head(segment: str) -> str | None:
    """The expression that begins `segment` (the right of an `=`), or None."""
    match = _HEAD.match(segment)
    assert match is not None
    run = _PAUSE.split(match.group(0) + "\n")[0].removesuffix("\n")
    rest = segment[len(run) :]
    expr = run.strip()
    if not expr or not (expr[0].isdigit() or expr[0] in "(-."):
        return None
    after = run[len(run.rstrip()) :] + rest
    if after and _GLUED.match(after[0]):
        return None  # `= 5x`, `= 3\\sqrt{2}`: the value goes on past what can be read
    return expr


def _side(text: str) -> _Side | None:
    text = text.strip()
    if not text or len(text) > _MAX_EXPRESSION_CHARS or _depth(text) > _MAX_DEPTH:
        return None
    if "%" in text and re.search(r"(?<=[0-9.)%\s])[-+]", text):
        return None  # `50 + 10%` is 55 to its writer and 50.1 to a calculator
    literal = re.fullmatch(r"(-?[0-9]+)(?:\.([0-9]+))?(%?)", text)
    value = evaluate(text)
    if value is None:
        return None
    if literal is not None:
        places = len(literal.group(2) or "")
        return _Side(text.replace(" ", ""), value, places, bool(literal.group(3)))
    return _Side(text.replace(" ", ""), value, None, False)


def compute(expression: str) -> Fraction | None:
    """The exact value of an expression as a step writes it (``1,200 / 4``, ``20% * 50``), within
    the same bounds as a claim's side; None when it is not one that can be computed with certainty."""
    text = _normalized(expression).strip()
    if not text or len(text) > _MAX_EXPRESSION_CHARS or _depth(text) > _MAX_DEPTH:
        return None
    if "%" in text and re.search(r"(?<=[0-9.)%\s])[-+]", text):
        return None
    return evaluate(text)


def _depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        depth += (char == "(") - (char == ")")
        deepest = max(deepest, depth)
    return deepest


@lru_cache(maxsize=4096)  # a request's chains share most of their steps
def evaluate(text: str) -> Fraction | None:
    """The exact value of an arithmetic expression, or None if it is not one we can compute."""
    if _INTEGER.fullmatch(text) and len(text) <= MAX_DIGITS:
        return Fraction(int(text))
    python = re.sub(r"([0-9.]+)%", r"(\1/100)", text).replace("^", "**")
    try:
        tree = ast.parse(python, mode="eval")
    except SyntaxError:
        return None
    return _Walk(python).value(tree.body)


class _Walk:
    """Evaluates a parsed expression, refusing any node but numbers and arithmetic, and any step
    whose result could exceed the digit bound before computing it."""

    def __init__(self, source: str) -> None:
        self._source = source

    def value(self, node: ast.expr) -> Fraction | None:
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return Fraction(node.value)  # exact already; its size was bounded by the text's
        if isinstance(node, ast.Constant) and type(node.value) is float:
            literal = ast.get_source_segment(self._source, node) or ""  # 0.1 as written, not as a float
            if len(literal) > MAX_DIGITS or not re.fullmatch(r"[0-9]*\.?[0-9]*", literal):
                return None
            return Fraction(literal)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            operand = self.value(node.operand)
            if operand is None:
                return None
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        return None

    def _binary(self, node: ast.BinOp) -> Fraction | None:
        a, b = self.value(node.left), self.value(node.right)
        if a is None or b is None:
            return None
        if isinstance(node.op, ast.Pow):
            return _power(a, b)
        if isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div) and _digits(a) + _digits(b) > MAX_DIGITS:
            return None
        if isinstance(node.op, ast.Add):
            return a + b
        if isinstance(node.op, ast.Sub):
            return a - b
        if isinstance(node.op, ast.Mult):
            return a * b
        if isinstance(node.op, ast.Div):
            return a / b if b != 0 else None
        return None


def _digits(value: Fraction) -> float:
    return max(value.numerator.bit_length(), value.denominator.bit_length()) * _LOG10_2


def _power(base: Fraction, exponent: Fraction) -> Fraction | None:
    if exponent.denominator != 1 or abs(exponent) > _MAX_EXPONENT:
        return None  # a root is not exact; a huge power is not a step anyone checks by hand
    if base == 0 and exponent < 0:
        return None
    if _digits(base) * abs(int(exponent)) > MAX_DIGITS:
        return None
    return base ** int(exponent)
