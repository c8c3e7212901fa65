"""Orchestration of the pipeline, on fake engines (the engines themselves are tested for real in
tests/e2e). These check what the service does around them: validation, timeouts, overload."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from app.errors import DeadlineExceeded, InvalidRequest, Overloaded, ProblemTooLong
from app.formats.resolve import load_preset
from app.formats.spec import GeneratorFormat
from app.service.events import Progress, SummaryDelta
from app.service.outcome import ChainCounts
from app.service.params import SolveParams
from app.service.solve import SolveService
from tests.fakes import FORMAT, PROBLEM, RIGHT, UNFINISHED, WRONG, ArithmeticScorer, FakeGenerator
from tests.services import solve_service

PARAMS = SolveParams(
    problem=PROBLEM, n=4, temperature=1.0, max_tokens=40, seed=None, aggregation="min", selection="prm_weighted_vote"
)


def service(
    gen: FakeGenerator,
    orm: bool = False,
    timeout: float = 5.0,
    slots: int = 4,
    steps: bool = True,
    scorer: ArithmeticScorer | None = None,
    fmt: GeneratorFormat = FORMAT,
) -> SolveService:
    return solve_service(
        gen,
        scorer or ArithmeticScorer(),
        ArithmeticScorer() if orm else None,
        fmt,
        timeout_s=timeout,
        max_concurrent=slots,
        step_scoring="steps" if steps else "finished",
    )


def test_the_prm_outvotes_a_more_common_wrong_answer() -> None:
    gen = FakeGenerator([WRONG, WRONG, RIGHT])  # 233 twice as often as 243
    out = asyncio.run(service(gen).solve(replace(PARAMS, n=3), "r1"))
    assert out.answer == "243"
    assert out.clusters[0].answer == "243" and out.clusters[0].count == 1
    assert out.winner_step_scores == [0.95, 0.95, 0.95, 0.9]
    assert out.usage.reasoning_tokens == 2 * len(WRONG) + len(RIGHT)
    assert "243" in out.summary and "255-12=243" not in out.summary
    assert len(out.chains) == 3 and out.chains[2].text == RIGHT  # kept server-side


def test_majority_vote_follows_the_count_instead() -> None:
    out = asyncio.run(
        service(FakeGenerator([WRONG, WRONG, RIGHT])).solve(replace(PARAMS, n=3, selection="majority_vote"), "r")
    )
    assert out.answer == "233" and out.confidence == pytest.approx(2 / 3)


def test_sampling_request_carries_the_prompt_template_and_seed() -> None:
    gen = FakeGenerator()
    asyncio.run(service(gen).solve(replace(PARAMS, seed=9, n=3), "r"))
    assert gen.requests[0].prompt == f"Q:{PROBLEM}\n" and gen.requests[0].seed == 9 and gen.requests[0].n == 3


@pytest.mark.parametrize(
    ("changes", "error", "needle", "param"),
    [
        ({"selection": "orm_max"}, InvalidRequest, "outcome reward model", "selection"),
        ({"temperature": 0.0, "n": 4}, InvalidRequest, "greedily", "temperature"),
        ({"max_tokens": 256}, InvalidRequest, "context of 256", "max_tokens"),
        ({"problem": "9" * 120, "max_tokens": 150}, ProblemTooLong, "tokens", None),
    ],
)
def test_what_only_the_engines_can_tell_is_checked(
    changes: dict[str, object], error: type[InvalidRequest], needle: str, param: str | None
) -> None:
    with pytest.raises(error, match=needle) as info:
        asyncio.run(service(FakeGenerator()).solve(replace(PARAMS, **changes), "r"))  # type: ignore[arg-type]
    assert info.value.param == param


def test_orm_max_uses_the_outcome_scorer() -> None:
    out = asyncio.run(service(FakeGenerator(), orm=True).solve(replace(PARAMS, selection="orm_max"), "r"))
    assert out.answer == "243" and out.chains[0].outcome_score == 0.9


def test_deadline() -> None:
    with pytest.raises(DeadlineExceeded):
        asyncio.run(service(FakeGenerator(delay=1.0), timeout=0.1).solve(PARAMS, "r"))


def test_overload_is_refused_not_queued() -> None:
    svc = service(FakeGenerator(delay=0.3), slots=1)

    async def two() -> list[object]:
        return await asyncio.gather(svc.solve(PARAMS, "a"), svc.solve(PARAMS, "b"), return_exceptions=True)

    results = asyncio.run(two())
    assert sum(isinstance(r, Overloaded) for r in results) == 1


def test_a_truncated_chain_neither_votes_nor_is_scored() -> None:
    gen = FakeGenerator([UNFINISHED, WRONG, UNFINISHED, RIGHT])  # UNFINISHED hit its token budget
    svc = service(gen)
    out = asyncio.run(svc.solve(replace(PARAMS, n=4, selection="majority_vote"), "r"))
    assert out.counts == ChainCounts(sampled=4, voted=2, truncated=2, unscored=0)
    assert [c.votes for c in out.chains] == [False, True, False, True]
    assert sum(c.count for c in out.clusters) == 2
    # Read while decoding (nobody knows yet that it will be cut off), never scored as a whole.
    assert [c.step_scores for c in out.chains][0::2] == [[], []]


def test_a_chain_too_long_for_the_reward_model_is_left_out_not_failed() -> None:
    long_right = "\n".join(["10+10=20"] * 6 + ["A:20"])
    svc = service(FakeGenerator([long_right, WRONG]), slots=2, steps=False, scorer=ArithmeticScorer(read_limit=40))
    out = asyncio.run(svc.solve(replace(PARAMS, n=2), "r"))
    assert out.answer == "233" and out.counts.unscored == 1 and out.counts.voted == 1
    assert out.chains[0].step_scores == [] and not out.chains[0].votes


def test_when_every_chain_is_truncated_no_chain_has_scores_and_there_is_no_answer() -> None:
    svc = service(FakeGenerator([UNFINISHED]))
    out = asyncio.run(svc.solve(replace(PARAMS, n=3), "r"))
    assert out.answer is None and out.counts.truncated == 3 and all(c.step_scores == [] for c in out.chains)


def test_a_budget_the_reward_model_cannot_read_is_refused_before_generating() -> None:
    gen = FakeGenerator()
    # A reward model with a shorter context than the generator's.
    svc = service(gen, slots=2, steps=False, scorer=ArithmeticScorer(context=150))
    with pytest.raises(InvalidRequest, match="can read 132 tokens of a chain") as info:
        asyncio.run(svc.solve(replace(PARAMS, max_tokens=140), "r"))
    assert info.value.param == "max_tokens" and gen.requests == []


def test_a_thinking_chat_model_is_prompted_through_its_template_and_answers_after_thinking() -> None:
    r1 = load_preset("r1").generator
    assert r1 is not None
    chains = ["First, 2+2.\n\nThat is 4.\n</think>\n\nSo \\boxed{4}.", "Hmm \\boxed{5}\n\nstill thinking"]
    gen = FakeGenerator(chains)
    svc = service(gen, slots=2, steps=False, fmt=r1)
    out = asyncio.run(svc.solve(replace(PARAMS, problem="What is 2+2?", n=2, max_tokens=100), "r"))
    assert gen.requests[0].prompt == (
        "<|im_start|>user\nWhat is 2+2?\nPlease reason step by step, and put your final answer within "
        "\\boxed{}.<|im_end|>\n<|im_start|>assistant\n"
    )
    assert out.answer == "4" and out.chains[0].steps == ["First, 2+2.", "That is 4."]
    assert out.chains[1].answer is None  # a box inside unfinished thinking is not an answer


def test_a_budget_the_client_did_not_set_exactly_is_lowered_to_what_the_reward_model_reads() -> None:
    gen = FakeGenerator()
    svc = service(gen, slots=2, steps=False, scorer=ArithmeticScorer(context=150))
    out = asyncio.run(svc.solve(replace(PARAMS, max_tokens=140, max_tokens_flexible=True), "r"))
    assert gen.requests[0].max_tokens == 132 and out.answer == "243"


def test_a_chain_with_an_empty_thinking_has_nothing_verified_and_does_not_vote() -> None:
    r1 = load_preset("r1").generator
    assert r1 is not None
    chains = ["</think>\n\nSo \\boxed{5}.", "First, 2+2.\n\nThat is 4.\n</think>\n\nSo \\boxed{4}."]
    gen = FakeGenerator(chains)
    svc = service(gen, slots=2, steps=False, fmt=r1)
    out = asyncio.run(svc.solve(replace(PARAMS, problem="What is 2+2?", n=2, max_tokens=100), "r"))
    assert gen.requests[0].templated  # the chat template writes the BOS, the tokenizer adds none
    assert out.chains[0].answer == "5" and not out.chains[0].votes
    assert out.answer == "4" and out.counts == ChainCounts(sampled=2, voted=1, truncated=0, unscored=1)


def test_a_stream_reports_progress_then_the_summary_in_pieces_then_the_same_outcome_as_solve() -> None:
    async def scenario() -> tuple[list[object], object]:
        svc = service(FakeGenerator([RIGHT, WRONG, RIGHT, UNFINISHED], delay=0.05))
        params = replace(PARAMS, n=4, seed=3)
        events = [e async for e in svc.stream(params, "r1")]
        return events, await svc.solve(params, "r2")

    events, solved = asyncio.run(scenario())
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "Progress" and kinds[-1] == "Finished"
    first_piece = kinds.index("SummaryDelta")
    assert set(kinds[:first_piece]) == {"Progress"} and set(kinds[first_piece:-1]) == {"SummaryDelta"}
    progress = [e for e in events if isinstance(e, Progress)]
    assert progress[0].chains_running == 4 and progress[-1].chains_running == 0
    assert progress[-1].chains_truncated == 1 and progress[-1].leading_answer == "243"
    assert [p.tokens for p in progress] == sorted(p.tokens for p in progress)
    outcome = events[-1].outcome  # type: ignore[attr-defined]
    assert "".join(e.text for e in events if isinstance(e, SummaryDelta)) == outcome.summary
    same = ("answer", "summary", "confidence", "clusters", "winner_step_scores", "counts", "usage", "chains")
    assert all(getattr(outcome, f) == getattr(solved, f) for f in same)


def test_a_reader_that_goes_away_stops_every_chain_and_frees_the_slot() -> None:
    gen = FakeGenerator([RIGHT], delay=5.0)
    svc = service(gen, slots=1)

    async def scenario() -> None:
        events = svc.stream(replace(PARAMS, n=8), "r")
        await anext(events)  # holding the slot, chains decoding
        await asyncio.sleep(0.05)
        assert gen.running == 8
        await events.aclose()
        assert gen.running == 0 and gen.stopped == 8
        gen.delay = 0.0
        assert (await svc.solve(replace(PARAMS, n=1), "next")).answer == "243"  # the slot is free

    asyncio.run(scenario())


def test_a_cancelled_solve_stops_its_chains() -> None:
    gen = FakeGenerator([RIGHT], delay=5.0)
    svc = service(gen)

    async def scenario() -> None:
        task = asyncio.create_task(svc.solve(replace(PARAMS, n=4), "r"))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        assert gen.running == 0 and gen.stopped == 4

    asyncio.run(scenario())


@pytest.mark.parametrize("steps", [True, False])
def test_scoring_steps_while_decoding_changes_when_scores_are_known_not_what_they_are(steps: bool) -> None:
    gen = FakeGenerator([UNFINISHED, WRONG, RIGHT, RIGHT])
    svc = service(gen, steps=steps)
    out = asyncio.run(svc.solve(replace(PARAMS, n=4, seed=1), "r"))
    seen = svc._engines.scorer.chains_seen  # type: ignore[attr-defined]
    assert out.answer == "243" and out.chains[0].step_scores == []
    assert [c.step_scores for c in out.chains][1:] == [[0.95, 0.05, 0.95, 0.9]] + [[0.95, 0.95, 0.95, 0.9]] * 2
    # Finished chains only: each read once, the cut-off one never; with steps, partial versions too.
    assert (sum(seen) > 3) if steps else (sum(seen) == 3)


def test_a_request_that_fails_is_still_charged_the_tokens_it_decoded() -> None:
    """A deadline (or a client leaving) ends the request, not the cost: the chains decoded until
    then count against the key's reasoning-token limit."""
    from app.service.rate_limits import RateLimits

    limits = RateLimits(None, 10_000)
    svc = solve_service(
        FakeGenerator(delay=2.0),
        ArithmeticScorer(),
        None,
        FORMAT,
        timeout_s=0.5,
        rates=limits,
    )
    with pytest.raises(DeadlineExceeded):
        asyncio.run(svc.solve(PARAMS, "r", client="key-a"))
    left = int(limits.headers("key-a")["x-ratelimit-remaining-tokens"])
    assert 0 < 10_000 - left < 4 * len(RIGHT)  # some of the chains, not none and not all
    answered = asyncio.run(service(FakeGenerator()).solve(PARAMS, "r2"))
    assert answered.usage.reasoning_tokens == sum(c.tokens for c in answered.chains)
