"""Problems outside the task's range or grammar: what a user may type that the models never saw.

The shipped models learned left-to-right, fully parenthesised expressions with operands in fixed
ranges (`arith`). Here each kind breaks one of those rules, in the task's own characters (the
tokenizer has no others: a letter is an unknown token), and the reference answer is the
expression's value with the usual precedence. A calibrated confidence must be low on what the
generator gets wrong here.
"""

from __future__ import annotations

import ast
import hashlib
import operator
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from lab.task import arith

Kind = Literal[
    "small_operand",  # an operand below the task's range: ((37*4)+18)-9
    "large_operand",  # three-digit operands
    "large_multiplier",  # a multiplier of two digits
    "long",  # more operations than any training problem
    "negative",  # a subtraction that goes below zero
    "precedence",  # no parentheses: 37+48*3 is 181, not 255
    "nested",  # a parenthesised right operand: (37+48)*(3+2)
]
KINDS: tuple[Kind, ...] = (
    "small_operand",
    "large_operand",
    "large_multiplier",
    "long",
    "negative",
    "precedence",
    "nested",
)
Half = Literal["validation", "test"]


@dataclass(frozen=True, slots=True)
class OutOfRangeProblem:
    text: str
    answer: int
    kind: Kind


_OPS: dict[type[ast.operator], Callable[[int, int], int]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
}


def evaluate(text: str) -> int:
    """The value of an expression of integers, +, - and * with the usual precedence."""

    def walk(node: ast.expr) -> int:
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](walk(node.left), walk(node.right))
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        raise ValueError(f"not an integer expression: {text!r}")

    return walk(ast.parse(text, mode="eval").body)


def _chain(start: int, ops: list[tuple[arith.Op, int]]) -> str:
    return arith.Problem(start, tuple(ops)).text


def _draw(kind: Kind, rng: random.Random) -> str:
    base = arith.random_problem(rng)
    ops = list(base.ops)
    if kind == "small_operand":
        i = rng.randrange(len(ops))
        op: arith.Op = ops[i][0] if ops[i][0] != "*" else rng.choice(["+", "-"])
        ops[i] = (op, rng.randint(1, 9))
        return _chain(base.start if rng.random() < 0.7 else rng.randint(1, 9), ops)
    if kind == "large_operand":
        i = rng.randrange(len(ops))
        ops[i] = (rng.choice(["+", "-"]), rng.randint(100, 999))
        return _chain(rng.randint(100, 999) if rng.random() < 0.5 else base.start, ops)
    if kind == "large_multiplier":
        i = rng.randrange(len(ops))
        ops[i] = ("*", rng.randint(11, 40))
        return _chain(base.start, ops)
    if kind == "long":
        more = arith.random_problem(rng)
        return _chain(base.start, (ops + list(more.ops))[: rng.randint(arith.MAX_OPS + 2, arith.MAX_OPS + 4)])
    if kind == "negative":
        return _chain(rng.randint(10, 40), [("-", rng.randint(50, 99)), *ops[1:]])
    if kind == "precedence":
        a, b, c = rng.randint(10, 99), rng.randint(10, 99), rng.randint(2, 9)
        return rng.choice([f"{a}+{b}*{c}", f"{a}-{c}*{b % 10 + 2}", f"{a}*{c}+{b}*{rng.randint(2, 9)}"])
    if kind == "nested":
        a, b, c, d = rng.randint(10, 99), rng.randint(10, 99), rng.randint(2, 5), rng.randint(2, 4)
        return rng.choice([f"({a}+{b})*({c}+{d})", f"({a}*{c})-({b}-{d})", f"{a}+({b}*{c})"])
    raise ValueError(f"unknown kind {kind!r}")


def half_of(text: str) -> Half:
    """Validation or test, by a hash of the text: the two halves never share a problem."""
    return "validation" if int(hashlib.sha256(text.encode()).hexdigest()[:8], 16) % 2 == 0 else "test"


def problems(half: Half, count: int, seed: int = 7) -> list[OutOfRangeProblem]:
    """`count` distinct problems, the kinds in turn, none of them in the task's own splits."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[OutOfRangeProblem] = []
    while len(out) < count:
        kind = KINDS[len(out) % len(KINDS)]
        text = _draw(kind, rng)
        if text in seen or half_of(text) != half or arith.parse_problem(_in_grammar(text)) is not None:
            continue
        seen.add(text)
        out.append(OutOfRangeProblem(text, evaluate(text), kind))
    return out


def _in_grammar(text: str) -> str:
    """The text, or a placeholder that never parses when the text is one of the task's problems
    in range (such a draw is not out of range, and is skipped)."""
    problem = arith.parse_problem(text)
    if problem is None:
        return "x"
    starts_ok = arith.START_RANGE[0] <= problem.start <= arith.START_RANGE[1]
    values_ok = all(0 <= v <= arith.MAX_VALUE for v in problem.values)
    ops_ok = arith.MIN_OPS <= len(problem.ops) <= arith.MAX_OPS and all(
        arith.MUL_RANGE[0] <= n <= arith.MUL_RANGE[1] if op == "*" else arith.ADD_RANGE[0] <= n <= arith.ADD_RANGE[1]
        for op, n in problem.ops
    )
    return text if starts_ok and values_ok and ops_ok else "x"
