"""Mathematical equivalence of final answers, and clustering answers by it.

Answers are parsed with math-verify (LaTeX or plain expressions to SymPy) and compared with its
`verify`. Three things about math-verify shape this module:

* Its timeouts use ``signal.alarm``, which raises in any thread but the main one (a web server's
  worker threads included), so both timeouts are off here; instead `digits_bound` refuses to hand it
  an expression whose exact evaluation could run away (``10^{10^{10}}`` or ``100000!`` would
  otherwise hang `verify` with no timeout to stop it).
* It reads letters as a product of symbols, so ``garbage`` and ``garabge`` both become
  ``E*a*a*b*g*g*r`` and compare equal; and it reads ``12 apples`` as ``12``. An answer with a
  word in it is therefore compared as a string.
* `verify(gold, pred)` is not symmetric, so both directions are tried.

Anything that does not parse compares by stripped string equality, so garbage never raises.
"""

from __future__ import annotations

import cmath
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Context, Decimal, localcontext
from functools import lru_cache

from math_verify import parse, verify
from sympy import (
    Abs,
    Add,
    And,
    Basic,
    Expr,
    FiniteSet,
    Float,
    Interval,
    Mul,
    Pow,
    Rational,
    Tuple,
    UnevaluatedExpr,
    Union,
    exp,
    log,
)
from sympy.core.relational import Relational
from sympy.functions.elementary.trigonometric import InverseTrigonometricFunction, TrigonometricFunction

# Longer or deeper answers are compared as strings: the LaTeX parser's time grows with length
# and steeply with bracket depth (0.1 s at depth 5, 1 s at depth 15), and a final answer like
# that is not a value worth voting on.
MAX_ANSWER_CHARS = 120
MAX_BRACKET_DEPTH = 6
# The most decimal digits any exact number in an answer may reach when evaluated.
MAX_DIGITS = 10_000

# A run of two or more letters that is not a LaTeX command (``\frac``): a word.
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
_LOG10_2 = math.log10(2)
_LOG10_E = math.log10(math.e)

# Nodes whose value is bounded by their largest argument's, for `digits_bound`.
_BOUNDED_BY_ARGS: tuple[type, ...] = (
    Relational,
    And,
    Tuple,
    FiniteSet,
    Interval,
    Union,
    UnevaluatedExpr,  # how math-verify marks a percentage
    Abs,
    log,
    TrigonometricFunction,
    InverseTrigonometricFunction,
)


# A plain integer or decimal (what most math answers are): compared exactly as numbers, with no
# parser. Thousands separators are left to math-verify, which knows when a comma is one.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")
_SIX_PLACES = Decimal("1e-6")
_EXACT = Context(prec=MAX_ANSWER_CHARS + 8)


def plain_number(answer: str) -> Decimal | None:
    """The exact value of a plain integer or decimal answer; None for anything else."""
    text = answer.strip()
    if len(text) > MAX_ANSWER_CHARS or not _PLAIN_NUMBER.fullmatch(text):
        return None
    return Decimal(text)


def answers_equivalent(a: str, b: str) -> bool:
    """Whether two final answers are the same value: ``243``, ``243.0`` and ``486/2`` are."""
    a, b = a.strip(), b.strip()
    if a == b:
        return True
    number_a, number_b = plain_number(a), plain_number(b)
    if number_a is not None and number_b is not None:
        if "." not in a and "." not in b:
            return number_a == number_b
        # As math-verify compares a decimal: rounded to six places (with the digits to do it exactly).
        with localcontext(_EXACT):
            return number_a.quantize(_SIX_PLACES) == number_b.quantize(_SIX_PLACES)
    # Ordering the pair makes the cached relation symmetric by construction.
    return _equivalent(a, b) if a < b else _equivalent(b, a)


class AnswerKeys:
    """One key per distinct answer, equivalent answers sharing it (the first one's text): a new
    answer is compared once with each answer seen before, as it arrives."""

    def __init__(self) -> None:
        self._seen: list[str] = []

    def key(self, answer: str) -> str:
        for seen in self._seen:
            if answers_equivalent(seen, answer):
                return seen
        self._seen.append(answer)
        return answer


def cluster_answers(answers: Sequence[str | None]) -> list[list[int]]:
    """Indices grouped by equivalent answer, in order of first appearance; None answers are left out.

    Each answer joins the first cluster whose first answer it is equivalent to. Numeric
    equivalence with rounding is not transitive, so comparing against one fixed representative
    keeps the result independent of which members happened to join a cluster earlier.
    """
    clusters: list[list[int]] = []
    representatives: list[str] = []
    # Each distinct answer is compared once: identical strings, and plain numbers of one value
    # (``243``, ``243.0``), share a key and skip the comparisons.
    cluster_of: dict[str | Decimal, int] = {}
    for index, answer in enumerate(answers):
        if answer is None:
            continue
        text = answer.strip()
        number = plain_number(text)
        key: str | Decimal = text if number is None else number
        found = cluster_of.get(key)
        if found is None:
            found = next((c for c, rep in enumerate(representatives) if answers_equivalent(rep, text)), None)
        if found is None:
            found = len(clusters)
            clusters.append([])
            representatives.append(text)
        cluster_of[key] = found
        clusters[found].append(index)
    return clusters


@dataclass(frozen=True, slots=True)
class _Parsed:
    expr: Basic
    value: complex | None  # the numeric value of a scalar answer, to rule out pairs cheaply


@lru_cache(maxsize=65_536)
def _equivalent(a: str, b: str) -> bool:
    parsed_a, parsed_b = _parse(a), _parse(b)
    if parsed_a is None or parsed_b is None:
        return False  # the strings already differ
    if _surely_different(parsed_a.value, parsed_b.value):
        return False
    try:
        return bool(
            verify(parsed_a.expr, parsed_b.expr, timeout_seconds=None)
            or verify(parsed_b.expr, parsed_a.expr, timeout_seconds=None)
        )
    except Exception:
        return False


def _surely_different(a: complex | None, b: complex | None) -> bool:
    """Whether two numeric values are too far apart for `verify` to call them equal.

    `verify` may simplify symbolically (tens of milliseconds a pair, seconds for N=64 distinct
    answers); most pairs differ plainly in value. The tolerance is far looser than `verify`'s own
    (floats rounded to 6 decimals, exact otherwise), so this never rejects a pair it would accept.
    """
    if a is None or b is None:
        return False
    return abs(a - b) > 1e-5 + 1e-9 * max(abs(a), abs(b))


@lru_cache(maxsize=4096)
def _parse(answer: str) -> _Parsed | None:
    """The answer as a SymPy expression that is safe to compare; None to compare it as a string."""
    if len(answer) > MAX_ANSWER_CHARS or _bracket_depth(answer) > MAX_BRACKET_DEPTH or _WORD.search(answer):
        return None
    # Wrapping in $...$ makes math-verify read the whole answer as LaTeX instead of picking the
    # first number out of it.
    text = answer if "$" in answer else f"${answer}$"
    try:
        parsed = parse(text, parsing_timeout=None, fallback_mode="no_fallback")
    except Exception:
        return None
    expr = next((p for p in parsed if isinstance(p, Basic)), None)
    if expr is None:
        return None
    digits = digits_bound(expr)
    if digits is None or digits > MAX_DIGITS:
        return None
    return _Parsed(expr, _value(expr))


def _value(expr: Basic) -> complex | None:
    """The numeric value of a scalar answer; None where `verify` compares by more than value.

    Percentages (``9\\%`` equals ``9`` to `verify`), relations, sets and tuples get none. Free
    symbols take a fixed value per name, so ``x+1`` and ``1+x`` agree and ``x+1`` and ``y+1``
    do not (`verify` treats variables strictly); case is folded and ``e`` skipped because
    `verify` equates ``A`` with ``a`` and the symbol ``e`` with Euler's number.
    """
    if not isinstance(expr, Expr) or expr.has(UnevaluatedExpr):
        return None
    names = {symbol.name.lower() for symbol in expr.free_symbols}
    if "e" in names:
        return None
    values = {symbol: _symbol_value(symbol.name.lower()) for symbol in expr.free_symbols}
    try:
        value = complex(expr.evalf(30, subs=values))
    except Exception:
        return None  # undefined there (a pole), or not a number after all
    return value if cmath.isfinite(value) else None


def _symbol_value(name: str) -> float:
    """A fixed, unremarkable value for a variable, so that distinct expressions rarely agree."""
    return 0.5 + zlib.crc32(name.encode()) % 10_007 / 10_007 * math.pi


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def digits_bound(expr: Basic) -> float | None:
    """An upper bound on the decimal digits evaluating `expr` exactly can produce; None if unknown.

    math-verify parses without evaluating, so this walk over the unevaluated tree is cheap even
    for ``10^{10^{10}}``. Node types not listed could be expensive to evaluate
    (``factorial``, integrals) and are refused.
    """
    if isinstance(expr, Rational):
        return max(int(expr.p).bit_length(), int(expr.q).bit_length()) * _LOG10_2
    if isinstance(expr, Float):
        size = abs(float(expr))
        return math.log10(size) if size > 1 else 0.0  # inf for a huge float, which is refused
    if not expr.args:
        return 0.0  # a leaf that is not a number: a symbol, pi, e, i, infinity, the empty set
    if isinstance(expr, Pow):
        return _power_digits(digits_bound(expr.base), expr.exp)
    if isinstance(expr, exp):
        return _power_digits(_LOG10_E, expr.args[0])
    parts = [digits_bound(arg) for arg in expr.args]
    if any(part is None for part in parts):
        return None
    known = [part for part in parts if part is not None]
    if isinstance(expr, Add):
        return max(known) + math.log10(len(known))
    if isinstance(expr, Mul):
        return sum(known)
    if isinstance(expr, _BOUNDED_BY_ARGS):
        return max(known, default=0.0)
    return None


def _power_digits(base_digits: float | None, exponent: Basic) -> float | None:
    """Digits of ``base ** exponent`` when the base has at most `base_digits` digits."""
    exponent_digits = digits_bound(exponent)
    if base_digits is None or exponent_digits is None or exponent_digits > math.log10(MAX_DIGITS) + 1:
        return None
    return max(base_digits, 1.0) * 10**exponent_digits
