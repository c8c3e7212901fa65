"""The request policy: defaults filled in and limits checked once, for every dialect."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.engines.protocols import SamplingRequest
from app.errors import InvalidRequest, ProblemTooLong, UnsupportedParameter
from app.service.params import SAMPLING_PARAMS, Budget, Requested, RequestPolicy, Sampling, SolveParams

POLICY = RequestPolicy(
    default_n=16,
    default_temperature=1.0,
    default_max_tokens=160,
    default_aggregation="min",
    default_selection="prm_weighted_vote",
    max_n=64,
    max_temperature=1.5,
    max_problem_chars=40,
    default_effort="medium",
    effort_n={"minimal": 1, "low": 4, "medium": 16, "high": 64},
    effort_max_tokens={"minimal": 100, "low": 160, "medium": 160, "high": 200},
)


def test_what_a_request_leaves_out_comes_from_the_defaults() -> None:
    params = POLICY.resolve(Requested("  1+2 \n"))
    assert (params.problem, params.n, params.temperature, params.max_tokens) == ("1+2", 16, 1.0, 160)
    assert (params.seed, params.aggregation, params.selection) == (None, "min", "prm_weighted_vote")


def test_what_a_request_gives_is_kept() -> None:
    asked = Requested("1+2", sampling=Sampling(0.0, 4), n=3, max_tokens=9, aggregation="last", selection="prm_max")
    params = POLICY.resolve(asked)
    assert (params.n, params.temperature, params.max_tokens, params.seed) == (3, 0.0, 9, 4)
    assert (params.aggregation, params.selection) == ("last", "prm_max")


@pytest.mark.parametrize(
    ("problem", "changes", "error", "param", "needle"),
    [
        (" \n\t", {}, InvalidRequest, "problem", "empty or only whitespace"),
        ("1" * 41, {}, ProblemTooLong, "problem", "at most 40"),
        ("1+2", {"n": 65}, InvalidRequest, "n", "limit of 64"),
        ("1+2", {"sampling": Sampling(temperature=1.6)}, InvalidRequest, "temperature", "limit of 1.5"),
        ("", {"problem_param": "messages"}, InvalidRequest, "messages", "messages: the problem is empty"),
    ],
)
def test_limits(problem: str, changes: dict[str, object], error: type[InvalidRequest], param: str, needle: str) -> None:
    with pytest.raises(error, match=needle) as info:
        POLICY.resolve(Requested(problem, **changes))  # type: ignore[arg-type]
    assert info.value.param == param


@given(
    problem=st.text(max_size=60),
    n=st.none() | st.integers(1, 100),
    temperature=st.none() | st.floats(0, 2),
)
def test_resolved_parameters_are_always_within_the_limits(
    problem: str, n: int | None, temperature: float | None
) -> None:
    try:
        params = POLICY.resolve(Requested(problem, sampling=Sampling(temperature=temperature), n=n))
    except InvalidRequest:
        return
    assert params.problem == problem.strip() and params.problem
    assert len(params.problem) <= POLICY.max_problem_chars
    assert 1 <= params.n <= POLICY.max_n and params.temperature <= POLICY.max_temperature


def test_the_sampling_parameters_reach_the_engine_under_their_own_names() -> None:
    params = POLICY.resolve(Requested("1+2", sampling=Sampling(temperature=0.5, seed=7), n=3, max_tokens=9))
    request = params.sampling_request("Q:1+2\n", templated=False)
    assert request == SamplingRequest("Q:1+2\n", 3, 0.5, 9, seed=7, top_p=1.0)
    assert request.engine_fields() == {"n": 3, "temperature": 0.5, "max_tokens": 9, "seed": 7, "top_p": 1.0}
    assert "seed" not in replace(request, seed=None).engine_fields()  # left to the engine's default
    for name in SAMPLING_PARAMS:  # each is carried (and so recorded and sampled with) under its name
        assert name in {f.name for f in fields(SolveParams)} and name in {f.name for f in fields(SamplingRequest)}


def test_the_effort_picks_the_chains_and_their_budget() -> None:
    assert POLICY.budget(None, None, "max_tokens") == Budget("medium", 16, 160)
    assert POLICY.budget("high", None, "max_tokens") == Budget("high", 64, 200)


def test_a_token_limit_is_shared_by_the_chains() -> None:
    assert POLICY.budget("low", 200, "max_completion_tokens") == Budget("low", 4, 50, "max_completion_tokens")
    # A limit that leaves each chain more than the effort's budget changes nothing.
    assert POLICY.budget("low", 10_000, "max_completion_tokens") == Budget("low", 4, 160)


def test_a_limit_too_small_for_the_chains_is_refused_naming_it() -> None:
    with pytest.raises(UnsupportedParameter, match="at least 512") as info:
        POLICY.budget("high", 100, "max_output_tokens")
    assert info.value.param == "max_output_tokens"


@given(effort=st.sampled_from(["minimal", "low", "medium", "high"]), limit=st.none() | st.integers(1, 20_000))
def test_chains_never_spend_more_than_the_limit(effort: str, limit: int | None) -> None:
    try:
        budget = POLICY.budget(effort, limit, "max_completion_tokens")  # type: ignore[arg-type]
    except UnsupportedParameter:
        assert limit is not None and limit < 8 * POLICY.effort_n[effort]  # type: ignore[index]
        return
    assert budget.n == POLICY.effort_n[effort]  # type: ignore[index]
    assert 8 <= budget.max_tokens <= POLICY.effort_max_tokens[effort]  # type: ignore[index]
    if limit is not None:
        assert budget.n * budget.max_tokens <= limit
