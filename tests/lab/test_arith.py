"""The exact checker of the shipped task: the source of every step label the PRM learns from."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lab.task import arith
from lab.task.arith import StepLabel, check_chain
from tests.conftest import examples

seeds = st.integers(min_value=0, max_value=2**32 - 1)


def problem_from(seed: int) -> arith.Problem:
    return arith.random_problem(random.Random(seed))


@given(seeds)
def test_reference_chain_is_all_right(seed: int) -> None:
    p = problem_from(seed)
    check = check_chain(p, p.reference_steps())
    assert check.labels == [StepLabel.RIGHT] * (len(p.ops) + 1)
    assert check.first_error is None
    assert check.correct and check.answer == str(p.answer)


@given(seeds, st.data())
def test_one_corrupted_step_is_the_first_error(seed: int, data: st.DataObject) -> None:
    p = problem_from(seed)
    steps = p.reference_steps()
    i = data.draw(st.integers(0, len(steps) - 1), label="corrupted step")
    delta = data.draw(st.integers(1, 50), label="delta")
    if i < len(p.ops):
        lhs, result = steps[i].split("=")
        steps[i] = f"{lhs}={int(result) + delta}"
    else:
        steps[i] = f"{arith.ANSWER_PREFIX}{p.answer + delta}"
    check = check_chain(p, steps)
    assert check.first_error == i
    assert check.labels[:i] == [StepLabel.RIGHT] * i
    assert check.labels[i] == StepLabel.WRONG
    assert check.labels[i + 1 :] == [StepLabel.AFTER_ERROR] * (len(steps) - i - 1)


@pytest.mark.parametrize("near_miss", [arith.near_miss, arith.any_near_miss])
@given(value=st.integers(-9999, 99999), seed=seeds)
def test_a_near_miss_is_wrong_and_written_like_a_number(
    near_miss: Callable[[int, random.Random], int], value: int, seed: int
) -> None:
    wrong = near_miss(value, random.Random(seed))
    assert wrong != value
    assert (wrong < 0) == (value < 0) or wrong == 0


def changed_positions(a: int, b: int) -> set[int]:
    """Digit positions (0 = units) where two numbers of the same length differ."""
    x, y = str(abs(a)), str(abs(b))
    return {i for i in range(len(x)) if x[::-1][i] != y[::-1][i]} if len(x) == len(y) else set()


def test_near_misses_land_on_leading_digits_as_the_generators_slips_do() -> None:
    # The generator's slips are carries into a leading digit; the units digit is the rarest.
    rng = random.Random(0)
    units = tens = 0
    for _ in range(4000):
        changed = changed_positions(4417, arith.near_miss(4417, rng))
        units += changed == {0}
        tens += changed == {1}
    assert units * 3 < tens
    rng = random.Random(0)
    uniform = [changed_positions(4417, arith.any_near_miss(4417, rng)) for _ in range(4000)]
    assert uniform.count({0}) * 3 > uniform.count({1})  # the uniform kind has no such preference


@given(seeds)
def test_a_counterfactual_chain_errs_exactly_at_its_slip_and_ends_wrong(seed: int) -> None:
    rng = random.Random(seed)
    p = problem_from(seed)
    steps, k = arith.counterfactual_steps(p, rng)
    check = check_chain(p, steps)
    assert check.first_error == k
    assert check.labels == [StepLabel.RIGHT] * k + [StepLabel.WRONG] + [StepLabel.AFTER_ERROR] * (len(p.ops) - k)
    # Only step k's result differs from the reference; everything after follows from it.
    assert steps[:k] == p.reference_steps()[:k]
    assert not check.correct


def test_a_step_consistent_with_an_earlier_error_is_still_labelled_after_error() -> None:
    p = arith.Problem(37, (("+", 48), ("*", 3)))
    # 86 is wrong; 86*3=258 is right arithmetic, but it builds on the error.
    check = check_chain(p, ["37+48=86", "86*3=258", "A:258"])
    assert check.labels == [StepLabel.WRONG, StepLabel.AFTER_ERROR, StepLabel.AFTER_ERROR]
    assert check.first_error == 0 and not check.correct


def test_a_chain_that_stops_early_errs_where_it_stops() -> None:
    p = arith.Problem(37, (("+", 48), ("*", 3)))
    check = check_chain(p, ["37+48=85"])
    assert check.labels == [StepLabel.RIGHT]
    assert check.first_error == 1 and check.answer is None and not check.correct


def test_malformed_and_extra_steps_are_wrong() -> None:
    p = arith.Problem(10, (("+", 20), ("-", 5)))
    assert check_chain(p, ["10+20=30", "30-5=25", "25+1=26", "A:26"]).first_error == 2
    assert check_chain(p, ["10 plus 20 is 30", "30-5=25", "A:25"]).first_error == 0


@given(seeds)
def test_problem_text_parses_back(seed: int) -> None:
    p = problem_from(seed)
    assert arith.parse_problem(p.text) == p
    assert eval(p.text) == p.answer  # the parentheses make normal precedence agree


@settings(max_examples=examples(20))
@given(st.sampled_from(["train", "validation", "test"]))
def test_splits_hold_only_their_own_problems(split: arith.Split) -> None:
    ps = arith.problems(split, 200)
    assert all(arith.split_of(p) == split for p in ps)
    assert len({p.text for p in ps}) == len(ps)


def test_splits_are_disjoint_and_seeded() -> None:
    train = {p.text for p in arith.problems("train", 3000)}
    test = {p.text for p in arith.problems("test", 500)}
    assert not train & test
    assert [p.text for p in arith.problems("test", 50)] == [p.text for p in arith.problems("test", 50)]


def test_the_out_of_range_set_is_outside_the_task_and_its_halves_apart() -> None:
    from lab.task import out_of_range

    validation, test = out_of_range.problems("validation", 70), out_of_range.problems("test", 70)
    assert not {p.text for p in validation} & {p.text for p in test}
    in_range = {p.text for p in arith.problems("test", 2000)} | {p.text for p in arith.problems("validation", 2000)}
    for p in validation + test:
        assert p.text not in in_range and p.answer == out_of_range.evaluate(p.text)
        # The generator's declared domain (its format's pattern) leaves out all but what only a
        # running value can tell (a negative or too large intermediate result).
        if p.kind not in ("negative", "long"):
            assert not arith.NOTATION.in_domain(p.text), p
    assert all(arith.NOTATION.in_domain(p.text) for p in arith.problems("test", 2000))


def test_an_expression_is_evaluated_with_the_usual_precedence_and_nothing_else() -> None:
    from lab.task.out_of_range import evaluate

    assert evaluate("37+48*3") == 181 and evaluate("(31*5)-(67-4)") == 92
    with pytest.raises(ValueError):
        evaluate("__import__('os')")
