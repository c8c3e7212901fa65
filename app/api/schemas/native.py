"""The wire models of the service's own routes: `POST /solve`, `/health`, `/ready`."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.examples import EXAMPLE_PROBLEM, EXAMPLE_SUMMARY
from app.api.schemas.request_base import NamesAsked, RequestBase
from app.checks.verdicts import Verdict
from app.config import WIRE_MAX_PROBLEM_CHARS, WIRE_MAX_TEMPERATURE, SummaryStyle
from app.core.adaptive import StopReason, Strategy
from app.core.aggregate import Aggregation
from app.core.select import Selection

MAX_NOTE_CHARS = 4000  # a note is read by every chain: a paragraph, not a document


class BudgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_chains: int | None = Field(default=None, ge=1, le=1024, description="Chains to start at most (n).")
    max_reasoning_tokens: int | None = Field(
        default=None, ge=1, description="Hidden reasoning tokens, all chains together; sampling stops when spent."
    )
    max_latency_ms: float | None = Field(
        default=None, gt=0, description="Sampling stops this long after it started; the chains done by then vote."
    )


class SolveRequest(RequestBase):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"problem": EXAMPLE_PROBLEM, "n": 16, "seed": 7}]},
    )

    problem: str = Field(
        min_length=1,
        max_length=WIRE_MAX_PROBLEM_CHARS,
        description="The problem, in the task's own notation.",
        examples=[EXAMPLE_PROBLEM],
    )
    n: int | None = Field(
        default=None,
        ge=1,
        le=1024,
        description="Chains to sample (best-of-N); at most the server's max_n (64 by default).",
    )
    temperature: float | None = Field(
        default=None, ge=0.0, le=WIRE_MAX_TEMPERATURE, description="Sampling temperature."
    )
    max_tokens: int | None = Field(default=None, ge=1, le=32768, description="Token budget of each chain.")
    seed: int | None = Field(
        default=None, ge=0, le=2**31 - 1, description="Makes sampling, and so the answer, reproducible."
    )
    aggregation: Aggregation | None = Field(default=None, description="How step scores make a chain score.")
    tools: NamesAsked | None = Field(
        default=None,
        max_length=8,
        description="Tools the hidden chains call while they reason: `auto` (the default: the server's), `none`, or "
        "names (`calculator`: writes the value of the expression a step sets equal; `python`: runs a chain's code "
        "block in a sandbox, where the operator enabled it). A chain pauses at the tool's trigger, the result is "
        "appended, and it goes on. Never shown: the answer's `tools` counts the calls.",
    )
    selection: Selection | None = Field(default=None, description="How the answer is chosen among the chains.")
    summary: SummaryStyle | None = Field(
        default=None, description="How long a summary of the reasoning to write: concise, auto (the default), detailed."
    )
    system: str | None = Field(
        default=None,
        max_length=WIRE_MAX_PROBLEM_CHARS,
        description="A system prompt for this request, replacing the server's; empty for none. Only models "
        "prompted through a chat template have a system turn (the shipped arithmetic model has none).",
    )
    stream: bool | None = Field(
        default=None,
        description="Answer with server-sent events: `progress` while the chains decode, `summary` deltas, then "
        "`result` (the non-streaming body) or `error` (the error envelope).",
    )
    strategy: Strategy | None = Field(
        default=None,
        description="`fixed` (the default) samples n chains; `adaptive` samples at most n, a few at a time, cuts "
        "a chain at the first step the PRM rejects and stops when the PRM-weighted vote is decided; "
        "`particle_filtering` advances n partial chains a step at a time and draws them again after each step in "
        "proportion to the PRM's scores; `beam` keeps the n / width best partial chains after each step and "
        "extends each `width` ways (the server's BON_STEP_SEARCH__WIDTH).",
    )
    budget: BudgetIn | None = Field(default=None, description="Limits on what the request may spend.")


class ContinueRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"budget": {"max_chains": 16}}, {"strategy": "fixed", "stream": True}]},
    )

    budget: BudgetIn | None = Field(
        default=None,
        description="What this continuation may spend: `max_chains` more chains at most (by default the first "
        "request's n), and optionally reasoning tokens and time.",
    )
    strategy: Strategy | None = Field(
        default=None, description="How the new chains are sampled; by default as the first request was."
    )
    stream: bool | None = Field(default=None, description="Answer with server-sent events, as /solve does.")
    context: str | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_NOTE_CHARS,
        description="A note every new chain reads before its first step (written as the generator's format marks "
        "the user's notes). The chains kept from before the note vote only where no new chain reads it through.",
    )


class ContextRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"context": "The second step's value is 300."}]}
    )

    context: str = Field(
        min_length=1,
        max_length=MAX_NOTE_CHARS,
        description="The note: each chain still running reads it at its next step boundary, and each chain "
        "started later before its first step (as the generator's format marks the user's notes).",
    )


class ContextAdded(BaseModel):
    request_id: str = Field(description="The request the note was added to.")
    notes: int = Field(ge=1, description="The request's notes so far, this one included.")
    chains_running: int = Field(ge=0, description="Chains that had not ended when the note came: they will read it.")


class ContextOut(BaseModel):
    notes: int = Field(ge=1, description="The client's notes (POST /solve/{request_id}/context, or a continuation's).")
    chains_reached: int = Field(ge=0, description="Chains that read every note.")
    chains_set_aside: int = Field(
        ge=0,
        description="Chains that ended before a note the others read: they do not vote (where no chain read "
        "every note, every chain votes as without them).",
    )


class AnswerClusterOut(BaseModel):
    answer: str = Field(description="The answer of the cluster (chains whose answers are mathematically equal).")
    count: int = Field(ge=1, description="Chains that gave this answer.")
    weight: float = Field(ge=0, description="Summed chain scores of the cluster for the selection method.")
    vetoed: int = Field(default=0, ge=0, description="Of its chains, those with a step a step checker found false.")


class CheckerOut(BaseModel):
    name: str = Field(pattern=r"^[a-z0-9_]{1,32}$", description="The step checker.")
    version: str = Field(pattern=r"^[0-9]{1,6}$", description="Its version: a new one may judge differently.")


class ChecksOut(BaseModel):
    checkers: list[CheckerOut] = Field(description="The step checkers that read every step.")
    steps_checked: int = Field(ge=0, description="Steps the checkers read, every chain together.")
    steps_passed: int = Field(ge=0, description="Steps whose claim a checker found true.")
    steps_failed: int = Field(ge=0, description="Steps whose claim a checker found false (their score is capped).")
    steps_none: int = Field(ge=0, description="Steps with nothing to check (or a check that could not finish).")
    chains_vetoed: int = Field(ge=0, description="Chains with a step found false.")


class ToolCallsOut(BaseModel):
    tool: str = Field(max_length=32, description="A tool's name.")
    calls: int = Field(ge=0, description="Calls the chains made to it, every chain together.")


class ToolsOut(BaseModel):
    tools: list[str] = Field(description="The tools the chains could call.")
    calls: list[ToolCallsOut] = Field(description="Calls by tool.")
    ok: int = Field(ge=0, description="Calls that gave a result.")
    error: int = Field(ge=0, description="Calls whose error the chain read instead (and went on).")
    limit: int = Field(ge=0, description="Calls killed at a sandbox limit (time, memory, output).")
    refused: int = Field(ge=0, description="Calls over this request's limit: nothing was appended.")
    chains_calling: int = Field(ge=0, description="Chains that called a tool at least once.")


class ChainCountsOut(BaseModel):
    sampled: int = Field(ge=0, description="Chains sampled.")
    voted: int = Field(ge=0, description="Chains that voted: finished, read by the reward model, with an answer.")
    truncated: int = Field(ge=0, description="Chains cut off by their token budget; they do not vote.")
    unscored: int = Field(ge=0, description="Chains too long for the reward model to read; they do not vote.")


class UsageOut(BaseModel):
    prompt_tokens: int = Field(ge=0, description="Tokens of the prompt (shared by all chains).")
    reasoning_tokens: int = Field(ge=0, description="Hidden reasoning tokens, summed over all N chains.")
    scored_tokens: int = Field(ge=0, description="Tokens read by the reward model(s).")
    tool_calls: int = Field(default=0, ge=0, description="Tool calls the hidden chains made (see `tools`).")


class SearchOut(BaseModel):
    chains_started: int = Field(ge=0, description="Chains started.")
    chains_pruned: int = Field(ge=0, description="Chains cut at a step the PRM rejected.")
    chains_finished: int = Field(ge=0, description="Chains that ended on their own.")
    chains_truncated: int = Field(ge=0, description="Chains cut off by their token budget.")
    reasoning_tokens: int = Field(ge=0, description="Hidden reasoning tokens decoded, all chains.")
    stop_reason: StopReason | None = Field(
        description="Why sampling stopped: `certain` (no chain left could change the answer), `decided` (the "
        "vote's margin and share rule), or the budget that ran out (`max_chains`: every chain allowed has ended)."
    )
    steps: int = Field(default=0, ge=0, description="particle_filtering and beam: rounds of one step each.")
    resamplings: int = Field(
        default=0, ge=0, description="particle_filtering: times the population was drawn again by the PRM's scores."
    )
    branches: int = Field(
        default=0,
        ge=0,
        description="particle_filtering and beam: generator requests, each extending one partial chain (from the "
        "engine's prefix cache) by one step, one or more ways.",
    )


class TimingsOut(BaseModel):
    generate_ms: float = Field(ge=0, description="Sampling the N chains.")
    score_ms: float = Field(ge=0, description="Scoring every step of every chain.")
    select_ms: float = Field(ge=0, description="Aggregation, selection and summary.")
    total_ms: float = Field(ge=0, description="The whole pipeline.")


class SolveResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "request_id": "3f2a9c1e0b7d4e55",
                    "answer": "243",
                    "summary": EXAMPLE_SUMMARY,
                    "confidence": 0.97,
                    "calibrated": True,
                    "verified": True,
                    "n": 16,
                    "selection": "prm_weighted_vote",
                    "aggregation": "min",
                    "clusters": [{"answer": "243", "count": 13, "weight": 12.4}],
                    "step_scores": [0.99, 0.98, 0.97, 0.99],
                    "chain_counts": {"sampled": 16, "voted": 16, "truncated": 0, "unscored": 0},
                    "usage": {"prompt_tokens": 19, "reasoning_tokens": 512, "scored_tokens": 890},
                    "timings": {"generate_ms": 310.0, "score_ms": 120.0, "select_ms": 2.0, "total_ms": 432.0},
                }
            ]
        }
    )

    request_id: str = Field(description="Identifies the request in logs and metrics.")
    answer: str | None = Field(description="The selected final answer; null when no chain reached one.")
    summary: str = Field(description="A short summary of the winning chain's reasoning; never the chain itself.")
    confidence: float = Field(
        ge=0,
        le=1,
        description="The probability that the answer is right, fitted on held-out problems (when `calibrated`); "
        "otherwise the winning cluster's share of the selection weight.",
    )
    calibrated: bool = Field(
        default=False, description="Whether `confidence` is a calibrated probability (the reward model ships one)."
    )
    verified: bool = Field(
        default=False,
        description="An answer whose confidence reached the server's threshold. False: treat the answer as a "
        "guess (the problem may be outside what the models know); `POST /solve/{request_id}/continue` thinks longer.",
    )
    n: int = Field(ge=1, description="Chains sampled.")
    selection: Selection = Field(description="How the answer was chosen.")
    aggregation: Aggregation = Field(description="How step scores made chain scores.")
    clusters: list[AnswerClusterOut] = Field(description="Answer clusters, heaviest first.")
    step_scores: list[float] = Field(description="The winning chain's per-step PRM scores, P(step is right).")
    step_checks: list[Verdict] = Field(
        default_factory=list,
        description="The step checkers' verdict on each of the winning chain's steps, beside `step_scores` (empty "
        "when none ran): pass, fail (its score is capped), none (nothing to check).",
    )
    checks: ChecksOut | None = Field(default=None, description="What the step checkers found (when any ran).")
    tools: ToolsOut | None = Field(
        default=None, description="What the chains' tool calls came to (counts only; when tools were on)."
    )
    context: ContextOut | None = Field(default=None, description="What the client's notes reached (when it added any).")
    chain_counts: ChainCountsOut = Field(description="What became of the sampled chains.")
    usage: UsageOut = Field(description="Tokens used.")
    timings: TimingsOut = Field(description="Where the time went.")
    search: SearchOut | None = Field(
        default=None,
        description="What the sampling spent and why it stopped: with a strategy other than `fixed`, or a budget.",
    )


class ProgressEvent(BaseModel):
    """A `progress` event of a streamed /solve."""

    chains_running: int = Field(ge=0, description="Chains still decoding.")
    chains_finished: int = Field(ge=0, description="Chains that ended on their own.")
    chains_truncated: int = Field(ge=0, description="Chains cut off by their token budget (they do not vote).")
    steps_scored: int = Field(ge=0, description="Steps the reward model has read so far.")
    tokens: int = Field(ge=0, description="Tokens generated so far, all chains.")
    leading_answer: str | None = Field(description="The answer the finished, scored chains select now.")
    leading_share: float = Field(ge=0.0, le=1.0, description="Its weighted share among them.")
    elapsed_ms: float = Field(ge=0.0, description="Since the chains started.")
    chains_pruned: int = Field(default=0, ge=0, description="Chains cut at a step the PRM rejected (adaptive).")
    stop_reason: str | None = Field(default=None, description="Why sampling stopped, once it has (adaptive).")
    chains_vetoed: int = Field(default=0, ge=0, description="Ended chains with a step a step checker found false.")
    notes: int = Field(default=0, ge=0, description="The client's notes so far (POST /solve/{request_id}/context).")
    chains_reached: int = Field(default=0, ge=0, description="Chains started that have read every note so far.")


class SummaryEvent(BaseModel):
    """A `summary` event: the next piece of the summary (all pieces joined are the result's summary)."""

    delta: str = Field(description="The next piece of the summary.")


class HealthOut(BaseModel):
    status: Literal["ok"] = Field(default="ok", description="Always 'ok' when the process answers.")


AuditState = Literal["ok", "degraded", "off"]


class ReplicaOut(BaseModel):
    url: str = Field(description="The replica's base URL (an address of a name that resolves to several).")
    ready: bool = Field(description="Taking requests; false while it is set aside after a failure.")
    detail: str | None = Field(default=None, description="Why it is set aside.")
    requests: int = Field(ge=0, description="Calls sent to it since the API started.")
    errors: int = Field(ge=0, description="Of those, the ones that failed.")


class PoolOut(BaseModel):
    name: str = Field(description="Which engine the pool serves: generator or reward.")
    ready: bool = Field(description="One of its replicas at least answers.")
    replicas: list[ReplicaOut] = Field(description="Its replicas, in no particular order.")


class ReadyOut(BaseModel):
    status: Literal["ready", "loading", "failed"] = Field(description="ready when /solve can answer.")
    engines: dict[str, str] = Field(description="State of each engine.")
    pools: list[PoolOut] | None = Field(
        default=None,
        description="Where engines are remote: each pool's replicas and their state (a request goes to one "
        "replica of each pool; a pool is ready while one of its replicas is).",
    )
    detail: str | None = Field(default=None, description="Why it is not ready.")
    audit: AuditState = Field(
        default="off",
        description="The audit store: degraded while its writes fail or records are dropped (answers go on).",
    )
    audit_detail: str | None = Field(default=None, description="Why the audit store is degraded.")
