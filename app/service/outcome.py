"""What the pipeline hands back: the public parts of an answer, and the raw chains kept
server-side. The API copies the public parts into its responses; no response model has a field
the chains could go into."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.checks.verdicts import StepCheck, Verdict, first_failure, unfinished
from app.core.adaptive import SearchTally
from app.core.select import AnswerCluster
from app.engines.notes import Note, NoteRead, judged, notes_read
from app.service.params import SolveParams
from app.tools.calls import TOOL_OUTCOMES, ToolCall


@dataclass(frozen=True, slots=True)
class ChainRecord:
    """One sampled chain, as kept server-side. `text` is the hidden chain of thought."""

    text: str
    steps: list[str]
    step_scores: list[float]
    chain_score: float
    outcome_score: float | None
    answer: str | None
    votes: bool  # finished, read by the reward model, and with an answer
    finish_reason: str | None
    tokens: int
    leaf: int | None = None  # a step-level search's: the node of `SolveOutcome.tree` its last step is
    step_checks: tuple[StepCheck, ...] = ()  # the step checkers' verdict on each step (claims: hidden)
    tool_calls: tuple[ToolCall, ...] = ()  # every tool call the chain made (code and output: hidden)
    notes: tuple[NoteRead, ...] = ()  # where the chain read the client's notes
    set_aside: bool = False  # would vote, but ended before a note that other chains read (see `heeding`)

    @property
    def notes_read(self) -> int:
        return notes_read(self.notes)

    @property
    def vetoed(self) -> bool:
        """A step checker found one of its steps false (not one of the client's notes: see `judged`)."""
        return first_failure(judged(self.step_checks, self.notes)) is not None

    @property
    def unfinished(self) -> bool:
        """A step set a computation equal to nothing (and the chain went on without its value)."""
        return unfinished(judged(self.step_checks, self.notes))


@dataclass(frozen=True, slots=True)
class StepNode:
    """One step a step-level search decoded, once, whichever chains go on from it. `parent`: the
    node before it (None: a chain's first step); `depth`: 1 for a first step; `tokens`: decoded
    for it alone; `score`: its chain's aggregated score through it (0: not read)."""

    node: int
    parent: int | None
    depth: int
    tokens: int
    score: float


@dataclass(frozen=True, slots=True)
class PruneEvent:
    """A chain the adaptive search cut: after how many scored steps, at what score, having
    decoded how many tokens."""

    index: int
    steps_scored: int
    score: float
    tokens: int


@dataclass(frozen=True, slots=True)
class CheckTally:
    """What the step checkers found over every chain of the answer (counts only: no claim)."""

    checkers: dict[str, str]  # name → version
    steps_checked: int
    steps_passed: int
    steps_failed: int
    steps_none: int
    chains_vetoed: int  # chains with a step found false


@dataclass(frozen=True, slots=True)
class ToolTally:
    """What the chains' tool calls came to, every chain of the answer together (counts only)."""

    tools: tuple[str, ...]  # the tools the chains could call
    calls: dict[str, int]  # by tool
    outcomes: dict[str, int]  # by how they ended (ok, error, limit, refused)
    chains_calling: int  # chains that made at least one call

    @classmethod
    def of(cls, tools: tuple[str, ...], chains: list[ChainRecord]) -> ToolTally:
        calls = [call for chain in chains for call in chain.tool_calls]
        return cls(
            tools=tools,
            calls={tool: sum(c.tool == tool for c in calls) for tool in tools},
            outcomes={outcome: sum(c.result.outcome == outcome for c in calls) for outcome in TOOL_OUTCOMES},
            chains_calling=sum(bool(chain.tool_calls) for chain in chains),
        )

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@dataclass(frozen=True, slots=True)
class ContextTally:
    """The client's notes (`POST /solve/{request_id}/context`) and which chains took them in."""

    notes: tuple[Note, ...]  # every note of the answer, its continuations' too (text: hidden)
    chains_reached: int  # chains that read every note
    chains_set_aside: int  # chains that ended before a note and do not vote

    @classmethod
    def of(cls, notes: tuple[Note, ...], chains: list[ChainRecord]) -> ContextTally:
        return cls(
            notes=notes,
            chains_reached=sum(chain.notes_read >= len(notes) for chain in chains),
            chains_set_aside=sum(chain.set_aside for chain in chains),
        )


@dataclass(frozen=True, slots=True)
class ChainCounts:
    sampled: int
    voted: int
    truncated: int  # cut off by their token budget
    unscored: int  # too long for the reward model to read


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int
    reasoning_tokens: int
    scored_tokens: int
    tool_calls: int = 0  # the chains' tool calls, refused ones included


@dataclass(frozen=True, slots=True)
class Timings:
    generate_s: float
    score_s: float
    select_s: float
    total_s: float


@dataclass(frozen=True, slots=True)
class SolveOutcome:
    request_id: str
    params: SolveParams
    answer: str | None
    summary: str
    confidence: float  # P(answer is right) when `calibrated`, else the winner's vote share
    calibrated: bool
    verified: bool  # an answer, with a confidence at or above the server's threshold
    clusters: tuple[AnswerCluster, ...]
    winner_step_scores: list[float]
    counts: ChainCounts
    usage: Usage
    timings: Timings
    chains: list[ChainRecord] = field(repr=False)  # hidden: never copied into a response
    search: SearchTally | None = None  # what the adaptive strategy spent and why it stopped
    winner_index: int | None = None  # the chain the answer and summary come from
    prunes: tuple[PruneEvent, ...] = ()  # chains the adaptive search cut, every run together
    tree: tuple[StepNode, ...] = ()  # a step-level search's every step, every run together
    checks: CheckTally | None = None  # None: no step checker ran
    winner_step_checks: tuple[Verdict, ...] = ()  # beside `winner_step_scores`
    tools: ToolTally | None = None  # None: the chains called no tools (none were on)
    context: ContextTally | None = None  # None: the client added no note
