from __future__ import annotations

import threading
import time
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core import equivalence
from app.core.equivalence import answers_equivalent, cluster_answers
from tests.conftest import examples

integers = st.integers(min_value=-(10**9), max_value=10**9)
fractions = st.fractions(max_denominator=10**4).filter(lambda f: abs(f) < 10**6)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("243", "243.0"),
        ("243", "486/2"),
        ("243.0", "486/2"),
        ("1/2", "0.5"),
        ("\\frac{1}{2}", "0.5"),
        ("\\dfrac{3}{4}", "0.75"),
        (" 243 ", "243"),
        ("-0", "0"),
        ("x+1", "1+x"),
        ("x=3", "3"),
        ("1/3", "0.333333"),  # math-verify rounds floats to 6 decimals
        ("1<x<2", "(1,2)"),  # only verify(relation, interval) holds: both directions are tried
        ("\\{1,2\\}", "\\{2,1\\}"),
    ],
)
def test_equivalent_answers(a: str, b: str) -> None:
    assert answers_equivalent(a, b)
    assert answers_equivalent(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("243", "244"),
        ("243", "243.5"),
        ("1/2", "0.6"),
        ("2x", "2"),  # math-verify alone reads "2x" as 2
        ("12 apples", "12"),  # and "12 apples" as 12
        ("garbage", "garabge"),  # and both as the same product of symbols
        ("x+1", "y+1"),
        ("10^{10^{10}}", "10^{10^{10}}+0"),  # too big to evaluate: compared as strings
    ],
)
def test_different_answers(a: str, b: str) -> None:
    assert not answers_equivalent(a, b)
    assert not answers_equivalent(b, a)


GARBAGE = [
    "",
    "{",
    "}{",
    "\\frac{",
    "$",
    "\\boxed{}",
    "\x00",
    "😀",
    "NaN",
    "1/0",
    "10^{10^{10}}",
    "9^{9^{9^{9}}}",
    "100000!",
    "(10^{10})!",
    "\\int_0^1 x\\,dx",
    "(" * 60 + "1" + ")" * 60,
    "1+" * 200 + "1",
]


@pytest.mark.parametrize("junk", GARBAGE)
def test_garbage_never_raises_and_is_fast(junk: str) -> None:
    start = time.perf_counter()
    assert answers_equivalent(junk, junk)
    assert answers_equivalent(junk, junk + " ")
    for other in ("1", "2", "x", junk + "+0"):
        assert isinstance(answers_equivalent(junk, other), bool)
    # Without the size guards, the power towers and the factorials hang `verify` for good.
    assert time.perf_counter() - start < 5.0


def test_deeply_nested_answers_compare_as_strings() -> None:
    # The LaTeX parser takes about a second on brackets nested fifteen deep.
    assert answers_equivalent("((1))", "1")
    assert not answers_equivalent("(" * 8 + "1" + ")" * 8, "1")


def test_works_off_the_main_thread() -> None:
    # math-verify's default timeouts use signal.alarm, which raises in any other thread.
    results: list[bool] = []
    errors: list[BaseException] = []

    def compare() -> None:
        try:
            results.extend([answers_equivalent("1/3", "2/6"), answers_equivalent("5", "6")])
        except BaseException as error:
            errors.append(error)

    thread = threading.Thread(target=compare)
    thread.start()
    thread.join()
    assert errors == []
    assert results == [True, False]


@settings(max_examples=examples(60))
@given(integers)
def test_an_integer_equals_its_other_forms(n: int) -> None:
    assert answers_equivalent(str(n), f"{n}.0")
    assert answers_equivalent(str(n), f"{2 * n}/2")
    assert answers_equivalent(str(n), str(n))


@settings(max_examples=examples(60))
@given(integers, integers)
def test_distinct_integers_differ_symmetrically(m: int, n: int) -> None:
    assert answers_equivalent(str(m), str(n)) == (m == n)
    assert answers_equivalent(str(n), str(m)) == (m == n)


@settings(max_examples=examples(60))
@given(fractions)
def test_a_fraction_equals_its_latex_form_both_ways(f: Fraction) -> None:
    plain = f"{f.numerator}/{f.denominator}"
    latex = f"\\frac{{{f.numerator}}}{{{f.denominator}}}"
    assert answers_equivalent(plain, plain)
    assert answers_equivalent(plain, latex)
    assert answers_equivalent(latex, plain)


@settings(max_examples=examples(60))
@given(fractions, fractions)
def test_distinct_fractions_differ_symmetrically(f: Fraction, g: Fraction) -> None:
    a = f"{f.numerator}/{f.denominator}"
    b = f"\\frac{{{g.numerator}}}{{{g.denominator}}}"
    assert answers_equivalent(a, b) == (f == g)
    assert answers_equivalent(b, a) == (f == g)


def test_cluster_answers_groups_equivalent_answers_in_order_of_appearance() -> None:
    answers = ["12", "243", None, "243.0", "12.0", "486/2", None, "7"]
    assert cluster_answers(answers) == [[0, 4], [1, 3, 5], [7]]


def test_clustering_many_distinct_answers_is_fast() -> None:
    # Symbolic `verify` costs ~10 ms a pair; 64 distinct answers would take ~25 s without the
    # numeric pre-check that rules out most pairs.
    answers = [f"\\sqrt{{{k}}}+{k % 7}" for k in range(2, 66)]
    start = time.perf_counter()
    clusters = cluster_answers(answers)
    assert time.perf_counter() - start < 5.0
    # Only perfect squares collide: sqrt(4)+4 = sqrt(16)+2, sqrt(36)+1 = sqrt(49)+0, sqrt(25)+4 = sqrt(64)+1.
    assert len(clusters) == 64 - 3


def test_cluster_answers_leaves_out_unanswered_chains() -> None:
    assert cluster_answers([None, None]) == []
    assert cluster_answers([]) == []


POOL = ["1", "1.0", "2/2", "2", "4/2", "2.0", "\\frac{1}{2}", "0.5", "x+1", "1+x", "junk", "kunj", "-3", None]


@settings(deadline=None)
@given(st.lists(st.sampled_from(POOL), max_size=64))
def test_cluster_answers_partitions_the_answered_indices(answers: list[str | None]) -> None:
    clusters = cluster_answers(answers)
    flat = [i for cluster in clusters for i in cluster]
    assert sorted(flat) == [i for i, answer in enumerate(answers) if answer is not None]
    assert all(cluster == sorted(cluster) for cluster in clusters)
    firsts = [cluster[0] for cluster in clusters]
    assert firsts == sorted(firsts)
    for cluster in clusters:
        first = answers[cluster[0]]
        assert first is not None
        assert all(answers_equivalent(first, answers[i] or "") for i in cluster)
    for i, a in enumerate(firsts):
        for b in firsts[i + 1 :]:
            assert not answers_equivalent(answers[a] or "", answers[b] or "")


decimals = st.decimals(min_value=-(10**6), max_value=10**6, places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=examples(60), deadline=None)
@given(decimals, decimals)
def test_plain_numbers_compare_as_math_verify_would_without_it(a: Decimal, b: Decimal) -> None:
    via_math_verify = equivalence._equivalent(*sorted((str(a), str(b)))) or str(a) == str(b)
    assert answers_equivalent(str(a), str(b)) == via_math_verify == (a == b)


def test_plain_integers_and_decimals_never_reach_the_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_parser(a: str, b: str) -> bool:
        raise AssertionError(f"math-verify asked about {a!r} and {b!r}")

    monkeypatch.setattr(equivalence, "_equivalent", no_parser)
    assert answers_equivalent("243", "243.0") and answers_equivalent("+7", "7") and answers_equivalent(".5", "0.50")
    assert not answers_equivalent("243", "233") and not answers_equivalent("-3", "3")
    assert answers_equivalent("0.3333333", "0.33333333")  # six decimal places, as math-verify rounds
    huge = "9" * 110
    assert answers_equivalent(huge + ".5", huge + ".5000001") and not answers_equivalent(huge, huge[:-1] + "8")
    answers = [str(i % 7) for i in range(64)] + ["3.0", "-0"]
    clusters = cluster_answers(answers)
    assert len(clusters) == 7 and 64 in clusters[3] and 65 in clusters[0]
