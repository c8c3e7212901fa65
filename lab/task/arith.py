"""The shipped reasoning task: multi-step arithmetic with exact step labels.

A problem is a fully parenthesised left-to-right expression such as ``((37+48)*3)-12``.
Its reference chain has one step per line, the first with both operands (``37+48=85``), each
later one starting with its operator and going on from the previous result (``*3=255``), then a
final answer line (``A:243``). Because every step is determined by the problem, an exact checker can label any
chain step by step, the analogue of PRM800K's human step labels.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from app.core.steps import extract_answer
from app.formats.arith import Operation, read_operations
from app.formats.resolve import load_preset
from app.formats.spec import GeneratorFormat

Op = Literal["+", "-", "*"]

# The notation the models are trained on is the service's `arith` preset (their bon_model.json
# names it), so training and serving read chains the same way.
_preset = load_preset("arith").generator
assert _preset is not None and _preset.answer_prefix is not None
NOTATION: GeneratorFormat = _preset
STEP_SEPARATOR: str = _preset.step_separator
ANSWER_PREFIX: str = _preset.answer_prefix


def prompt(problem_text: str) -> str:
    """The generator's prompt for a problem."""
    return NOTATION.prompt.fill(problem_text)


# Difficulty knobs: the generator's greedy accuracy on the test split must stay in 25–65%.
MIN_OPS, MAX_OPS = 2, 5
START_RANGE = (10, 99)
ADD_RANGE = (10, 99)
MUL_RANGE = (2, 9)
MAX_VALUE = 9999

Split = Literal["train", "validation", "test"]


@dataclass(frozen=True, slots=True)
class Problem:
    start: int
    ops: tuple[tuple[Op, int], ...]

    @property
    def text(self) -> str:
        expr = str(self.start)
        for i, (op, operand) in enumerate(self.ops):
            expr = f"({expr}){op}{operand}" if i > 0 else f"{expr}{op}{operand}"
        return expr

    @property
    def values(self) -> list[int]:
        """The running value after each operation."""
        value, out = self.start, []
        for op, operand in self.ops:
            value = apply(value, op, operand)
            out.append(value)
        return out

    @property
    def answer(self) -> int:
        return self.values[-1]

    def reference_steps(self) -> list[str]:
        return self.steps_with_result(None, 0)

    def steps_with_result(self, k: int | None, result: int) -> list[str]:
        """The reference chain with step k's result written as `result` and every later step
        computed correctly from it, as a generator that slips once carries on (k None: no slip)."""
        steps, value = [], self.start
        for i, (op, operand) in enumerate(self.ops):
            nxt = result if i == k else apply(value, op, operand)
            steps.append(f"{value if i == 0 else ''}{op}{operand}={nxt}")
            value = nxt
        steps.append(f"{ANSWER_PREFIX}{value}")
        return steps

    def reference_chain(self) -> str:
        return STEP_SEPARATOR.join(self.reference_steps())


def apply(value: int, op: Op, operand: int) -> int:
    if op == "+":
        return value + operand
    if op == "-":
        return value - operand
    return value * operand


# How likely a slip lands on the units digit, against 1 for any other digit: the generator's own
# slips are carries into a leading digit (first wrong digit on 20k of its samples: tens 6841,
# hundreds 2501, units 289), and a verifier trained on uniformly placed slips learns the easy
# units check first and the leading digits late, if at all.
UNITS_SLIP_WEIGHT = 0.15


def near_miss(value: int, rng: random.Random) -> int:
    """A wrong result of the kind the generator writes: mostly (80%) one or two digits changed,
    placed mostly on the leading digits; otherwise `any_near_miss`."""
    digits = str(abs(value))
    r = rng.random()
    if r < 0.8 and len(digits) >= 2:
        chars = list(digits)
        weights = [1.0] * (len(chars) - 1) + [UNITS_SLIP_WEIGHT]
        positions: set[int] = set()
        while len(positions) < (1 if r < 0.7 else 2):
            positions.add(rng.choices(range(len(chars)), weights)[0])
        for i in positions:
            chars[i] = rng.choice([d for d in "0123456789" if d != chars[i] and (i > 0 or d != "0")])
        wrong = int("".join(chars)) * (-1 if value < 0 else 1)
        if wrong != value:
            return wrong
    return any_near_miss(value, rng)


def any_near_miss(value: int, rng: random.Random) -> int:
    """A near miss placed anywhere: one digit changed (70%), two (10%), or off by a power of ten
    (20%, a dropped or extra carry)."""
    digits = str(abs(value))
    while True:
        r = rng.random()
        if r < 0.8:
            chars = list(digits)
            for i in rng.sample(range(len(chars)), 1 if r < 0.7 or len(chars) < 2 else 2):
                chars[i] = rng.choice([d for d in "0123456789" if d != chars[i]])
            new = "".join(chars)
        else:
            shifted = abs(value) + rng.choice([-1, 1]) * 10 ** rng.randrange(len(digits) + 1)
            if shifted < 0:
                continue
            new = str(shifted)
        wrong = int(new) * (-1 if value < 0 else 1)
        if wrong != value and (len(new) == 1 or not new.startswith("0")):
            return wrong


def counterfactual_steps(problem: Problem, rng: random.Random) -> tuple[list[str], int]:
    """The reference chain with one step's result replaced by a near miss, continued correctly
    from the wrong value (as a generator that slips once carries on); returns the steps and the
    index of the wrong step. Paired with the reference chain of the same problem, it teaches a
    verifier to read the digits rather than guess from how hard the problem looks."""
    k = rng.randrange(len(problem.ops))
    return problem.steps_with_result(k, near_miss(problem.values[k], rng)), k


def parse_problem(text: str) -> Problem | None:
    """Parse a problem written in the task's own notation; None when it is not one."""
    compact = text.replace(" ", "").strip()
    m = re.fullmatch(r"\(*(\d+)((?:[+\-*]\d+\)?)+)", compact)
    if m is None:
        return None
    ops = tuple((op, int(num)) for op, num in re.findall(r"([+\-*])(\d+)", m.group(2)))
    problem = Problem(int(m.group(1)), ops)
    return problem if problem.text == compact else None


def random_problem(rng: random.Random) -> Problem:
    n_ops = rng.randint(MIN_OPS, MAX_OPS)
    start = value = rng.randint(*START_RANGE)
    ops: list[tuple[Op, int]] = []
    while len(ops) < n_ops:
        op: Op = rng.choice(["+", "-", "*"])
        if op == "*":
            operand = rng.randint(*MUL_RANGE)
            if value * operand > MAX_VALUE:
                continue
        elif op == "-":
            if value < ADD_RANGE[0]:
                continue
            operand = rng.randint(ADD_RANGE[0], min(ADD_RANGE[1], value))
        else:
            operand = rng.randint(*ADD_RANGE)
            if value + operand > MAX_VALUE:
                continue
        ops.append((op, operand))
        value = apply(value, op, operand)
    return Problem(start, tuple(ops))


def random_problem_in(split: Split, rng: random.Random) -> Problem:
    """Draw problems until one falls in `split` (the same draws as filtering a stream)."""
    while True:
        p = random_problem(rng)
        if split_of(p) == split:
            return p


def split_of(problem: Problem) -> Split:
    """A problem's split is a hash of its text, so the splits are disjoint by construction."""
    bucket = int(hashlib.sha256(problem.text.encode()).hexdigest()[:8], 16) % 100
    if bucket < 80:
        return "train"
    return "validation" if bucket < 90 else "test"


SPLIT_SEEDS: dict[Split, int] = {"train": 1, "validation": 2, "test": 3}


def problems(split: Split, count: int, seed: int | None = None) -> list[Problem]:
    """`count` distinct problems of one split, the same for the same seed."""
    rng = random.Random(SPLIT_SEEDS[split] if seed is None else seed)
    seen: set[str] = set()
    out: list[Problem] = []
    while len(out) < count:
        p = random_problem(rng)
        if split_of(p) == split and p.text not in seen:
            seen.add(p.text)
            out.append(p)
    return out


class StepLabel(StrEnum):
    RIGHT = "right"
    WRONG = "wrong"
    AFTER_ERROR = "after_error"  # follows an earlier wrong step


@dataclass(frozen=True, slots=True)
class ChainCheck:
    labels: list[StepLabel]
    first_error: int | None  # index of the first wrong step, None when all are right
    answer: str | None
    correct: bool  # the outcome: the final answer is right (the ORM's label)


def check_chain(problem: Problem, steps: list[str]) -> ChainCheck:
    """Label every step exactly: right, wrong, or after an earlier error."""
    labels: list[StepLabel] = []
    first_error: int | None = None
    value = problem.start
    for i, (step, written) in enumerate(zip(steps, read_operations(steps), strict=True)):
        ok = False
        if i < len(problem.ops):
            op, operand = problem.ops[i]
            if written is not None:
                ok = written == Operation(value, op, operand, apply(value, op, operand))
            value = apply(value, op, operand)
        elif i == len(problem.ops):
            ok = step == f"{ANSWER_PREFIX}{problem.answer}"
        if first_error is not None:
            labels.append(StepLabel.AFTER_ERROR)
        elif ok:
            labels.append(StepLabel.RIGHT)
        else:
            labels.append(StepLabel.WRONG)
            first_error = i
    if len(steps) < len(problem.ops) + 1 and first_error is None:
        # A chain that stops early is wrong at the point where it stops.
        first_error = len(steps)
    answer = extract_answer(steps, ANSWER_PREFIX)
    return ChainCheck(labels, first_error, answer, answer == str(problem.answer))
