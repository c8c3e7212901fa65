"""What one request asks of the pipeline, and the policy that fills in what it leaves out.

Every dialect of the API (`/solve`, chat completions, responses) turns its request into one
`Requested` and resolves it through the same `RequestPolicy`, so defaults and limits are applied
once, in one place.

A sampling parameter has one name from the wire to the engine (vLLM's and OpenAI's): a field of
`Sampling` is carried under that name by `SolveParams` (so the audit record keeps it) and by the
engines' `SamplingRequest` (so both generators pass it on), and the dialects' shared request model
reads it by that name. Nothing in between names it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from typing import Literal, get_args

from app.checks.registry import UnknownChecker, known
from app.config import Effort, Settings, SummaryStyle
from app.core.adaptive import Strategy
from app.core.aggregate import Aggregation
from app.core.particles import STEP_STRATEGIES
from app.core.select import Selection
from app.engines.protocols import SamplingRequest
from app.errors import ConfigurationError, InvalidRequest, ProblemTooLong, UnsupportedParameter
from app.formats.spec import GeneratorFormat
from app.tools.belt import ToolRunners

# What a request may ask of the step checkers: those the server uses, none, or these by name.
ChecksAsked = Literal["auto", "none"] | tuple[str, ...]
# What a request may ask of the tools its chains call: the server's default, none, or these by name.
ToolsAsked = Literal["auto", "none"] | tuple[str, ...]

# The fewest tokens a chain needs to reach an answer line; a smaller budget cannot work.
MIN_CHAIN_TOKENS = 8


@dataclass(frozen=True, slots=True)
class Sampling:
    """How each chain is sampled, as a request asks: None leaves a parameter to the server."""

    temperature: float | None = None
    seed: int | None = None
    top_p: float | None = None


SAMPLING_PARAMS = tuple(f.name for f in fields(Sampling))


@dataclass(frozen=True, slots=True)
class Requested:
    """What a request asks for, whichever dialect it came in: None (or the default) where it left
    a parameter to the server."""

    problem: str
    problem_param: str = "problem"  # where the problem came from (a field, or messages), for the errors naming it
    sampling: Sampling = Sampling()
    n: int | None = None
    max_tokens: int | None = None
    # The token budget is a default or a share of a total limit, not a number the client chose.
    flexible_budget: bool = False
    aggregation: Aggregation | None = None
    selection: Selection | None = None
    system: str | None = None  # replaces the server's system prompt ("" for none)
    summary: SummaryStyle | None = "auto"  # None: no summary is wanted
    strategy: Strategy = "fixed"
    max_reasoning_tokens: int | None = None
    max_latency_ms: float | None = None
    store: bool | None = None
    checks: ChecksAsked = "auto"
    tools: ToolsAsked = "auto"


@dataclass(frozen=True, slots=True)
class SolveParams:
    problem: str
    n: int
    temperature: float
    max_tokens: int
    seed: int | None
    aggregation: Aggregation
    selection: Selection
    system: str | None = None  # replaces the format's system prompt ("" for none); None keeps it
    summary: SummaryStyle | None = "auto"  # None: no summary is wanted (none is written)
    # A default or a share of a total limit (not a number the client chose): it may be lowered to
    # what the reward model can read.
    max_tokens_flexible: bool = False
    # `fixed` samples n chains; `adaptive` at most n, in waves, cutting chains the PRM rejects and
    # stopping when the vote is decided or a budget runs out.
    strategy: Strategy = "fixed"
    max_reasoning_tokens: int | None = None  # all chains together (adaptive)
    max_latency_ms: float | None = None  # from the first chain's start to the stop (adaptive)
    store: bool = True  # the audit record keeps the texts; False (OpenAI's store): metadata and hashes only
    top_p: float = 1.0  # nucleus sampling: 1 is off (every token may be drawn)
    checks: tuple[str, ...] = ()  # the step checkers that read every scored step
    check_fail_cap: float = 0.0  # the server's: a step a checker found false scores at most this
    tools: tuple[str, ...] = ()  # the tools the chains call (the format says how)
    max_tool_calls: int = 0  # the server's: calls this request may make, all chains together
    notes: tuple[str, ...] = ()  # the client's notes every chain reads before its first step (a continuation's)

    def sampling_request(self, prompt: str, templated: bool) -> SamplingRequest:
        """What the generator is asked for these chains: `prompt` (rendered by a chat template when
        `templated`), sampled with every sampling parameter of these parameters."""
        sampling = {name: getattr(self, name) for name in SAMPLING_PARAMS}
        return SamplingRequest(prompt=prompt, n=self.n, max_tokens=self.max_tokens, templated=templated, **sampling)


@dataclass(frozen=True, slots=True)
class Budget:
    """A reasoning effort's share of the work: how many chains, and each chain's token budget."""

    effort: Effort
    n: int
    max_tokens: int
    limit_param: str | None = None  # the request's token limit that set `max_tokens`, if one did
    strategy: Strategy = "fixed"
    max_reasoning_tokens: int | None = None  # adaptive: the request's limit, for all chains together


@dataclass(frozen=True, slots=True)
class RequestPolicy:
    """The server's defaults for what a request leaves out, and its limits on what it asks for."""

    default_n: int
    default_temperature: float
    default_max_tokens: int
    default_aggregation: Aggregation
    default_selection: Selection
    max_n: int
    max_temperature: float
    max_problem_chars: int
    default_effort: Effort
    effort_n: Mapping[Effort, int]
    effort_max_tokens: Mapping[Effort, int]
    default_system: str | None = None
    openai_strategy: Strategy = "fixed"
    default_checks: tuple[str, ...] = ()
    check_fail_cap: float = 0.0
    usable_tools: tuple[str, ...] = ()  # the tools the format calls that this server runs
    default_tools: tuple[str, ...] = ()
    max_tool_calls: int = 0

    @classmethod
    def of(cls, settings: Settings, fmt: GeneratorFormat, tools: ToolRunners | None = None) -> RequestPolicy:
        """The settings' defaults and limits; token budgets the settings leave unset are the
        generator format's; `tools`: what this server runs."""
        usable = tools.usable(fmt) if tools is not None else ()
        effort_tokens = settings.reasoning_effort_max_tokens or dict.fromkeys(get_args(Effort), fmt.max_tokens)
        return cls(
            default_n=settings.default_n,
            default_temperature=settings.default_temperature,
            default_max_tokens=settings.default_max_tokens or fmt.max_tokens,
            default_aggregation=settings.default_aggregation,
            default_selection=settings.default_selection,
            max_n=settings.max_n,
            max_temperature=settings.max_temperature,
            max_problem_chars=settings.max_problem_chars,
            default_effort=settings.default_reasoning_effort,
            effort_n=dict(settings.reasoning_effort_n),
            effort_max_tokens=effort_tokens,
            default_system=settings.system_prompt,
            openai_strategy=settings.openai_strategy,
            default_checks=_server_checks(settings, fmt),
            check_fail_cap=settings.check_fail_cap,
            usable_tools=usable,
            default_tools=_server_tools(settings, usable),
            max_tool_calls=settings.tools_max_calls,
        )

    def budget(self, effort: Effort | None, limit: int | None, limit_param: str) -> Budget:
        """N and each chain's budget for an effort; `limit` bounds all generated tokens together
        (as OpenAI's max_completion_tokens does, reasoning included): under the fixed strategy each
        chain gets its share, under the others the search stops when the limit is spent."""
        effort = effort or self.default_effort
        n, per_chain = self.effort_n[effort], self.effort_max_tokens[effort]
        if limit is None:
            return Budget(effort, n, per_chain, strategy=self.openai_strategy)
        if self.openai_strategy != "fixed":
            if limit < MIN_CHAIN_TOKENS:
                raise UnsupportedParameter(
                    limit_param, f"{limit_param}={limit} is too small for one chain: use at least {MIN_CHAIN_TOKENS}"
                )
            clipped = limit < per_chain
            return Budget(
                effort,
                n,
                min(per_chain, limit),
                limit_param if clipped else None,
                self.openai_strategy,
                max_reasoning_tokens=limit,
            )
        if limit < n * MIN_CHAIN_TOKENS:
            raise UnsupportedParameter(
                limit_param,
                f"{limit_param}={limit} is too small for reasoning_effort='{effort}', which samples {n} chains: "
                f"use at least {n * MIN_CHAIN_TOKENS}, or a lower effort",
            )
        share = limit // n
        return Budget(effort, n, min(per_chain, share), limit_param if share < per_chain else None)

    def resolve(self, asked: Requested) -> SolveParams:
        """The request's parameters with the defaults filled in, checked against the limits."""
        problem = self._problem(asked.problem, asked.problem_param)
        n = self.default_n if asked.n is None else asked.n
        if n > self.max_n:
            raise InvalidRequest(f"n={n} exceeds this server's limit of {self.max_n} chains", "n")
        sampling = self._sampling(asked.sampling)
        return SolveParams(
            problem=problem,
            n=n,
            max_tokens=self.default_max_tokens if asked.max_tokens is None else asked.max_tokens,
            aggregation=asked.aggregation or self.default_aggregation,
            selection=asked.selection or self.default_selection,
            system=self.default_system if asked.system is None else asked.system,
            summary=asked.summary,
            max_tokens_flexible=asked.flexible_budget or asked.max_tokens is None,
            strategy=asked.strategy,
            max_reasoning_tokens=asked.max_reasoning_tokens,
            max_latency_ms=asked.max_latency_ms,
            store=asked.store is not False,
            checks=self._checks(asked.checks),
            check_fail_cap=self.check_fail_cap,
            tools=self._tools(asked.tools, asked.strategy),
            max_tool_calls=self.max_tool_calls,
            **asdict(sampling),
        )

    def _tools(self, asked: ToolsAsked, strategy: Strategy) -> tuple[str, ...]:
        tools = self.default_tools if asked == "auto" else () if asked == "none" else asked
        unusable = _unusable(tools, self.usable_tools)
        if unusable:
            raise InvalidRequest(unusable, "tools")
        if tools and strategy in STEP_STRATEGIES:
            if asked == "auto":
                return ()  # the server's default gives way to a search that decodes a step at a time
            raise InvalidRequest(
                f"tools cannot be called under strategy={strategy!r}: it decodes a step at a time", "tools"
            )
        return tuple(dict.fromkeys(tools))

    def _checks(self, asked: ChecksAsked) -> tuple[str, ...]:
        if asked == "auto":
            return self.default_checks
        if asked == "none":
            return ()
        try:
            return known(asked)
        except UnknownChecker as exc:
            raise InvalidRequest(str(exc), "checks") from None

    def _problem(self, problem: str, param: str) -> str:
        """The problem, stripped and checked; `param` names where it came from in the request (a
        field, or the messages it was taken from), for the error that points at it."""
        text = problem.strip()
        if not text:
            raise InvalidRequest(f"{param}: the problem is empty or only whitespace", param)
        if len(text) > self.max_problem_chars:
            raise ProblemTooLong(
                f"{param}: the problem has {len(text)} characters; this server takes at most {self.max_problem_chars}",
                param,
            )
        return text

    def _sampling(self, asked: Sampling) -> Sampling:
        temperature = self.default_temperature if asked.temperature is None else asked.temperature
        if temperature > self.max_temperature:
            raise InvalidRequest(
                f"temperature={temperature:g} exceeds this server's limit of {self.max_temperature:g}", "temperature"
            )
        return replace(asked, temperature=temperature, top_p=1.0 if asked.top_p is None else asked.top_p)


def _server_tools(settings: Settings, usable: tuple[str, ...]) -> tuple[str, ...]:
    """The tools a request gets unless it names its own: none, those usable, or the settings' list."""
    if settings.tools == "none":
        return ()
    if settings.tools == "auto":
        return usable
    unusable = _unusable(settings.tools, usable)
    if unusable:
        raise ConfigurationError(f"BON_TOOLS: {unusable} (python needs BON_TOOLS_ALLOW_EXEC)")
    return tuple(dict.fromkeys(settings.tools))


def _unusable(names: Sequence[str], usable: tuple[str, ...]) -> str | None:
    """What is wrong with asking for these tools where `usable` are the ones that run (None: nothing)."""
    unknown = [name for name in names if name not in usable]
    if not unknown:
        return None
    can = ", ".join(usable) or "none"
    return f"no tool {', '.join(map(repr, unknown))} for this generator; the tools it can call here: {can}"


def _server_checks(settings: Settings, fmt: GeneratorFormat) -> tuple[str, ...]:
    """The checkers a request gets unless it names its own: the settings', or the format's."""
    names = fmt.checkers if settings.checkers == "auto" else [] if settings.checkers == "none" else settings.checkers
    try:
        return known(names)
    except UnknownChecker as exc:
        source = "BON_CHECKERS" if settings.checkers != "auto" else "the generator format's checkers"
        raise ConfigurationError(f"{source}: {exc}") from None
