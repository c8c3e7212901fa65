"""The fields a solve record names, by schema version, and how each version reads back into
today's types.

A record outlives the code that wrote it (it is verified, read by admins, and continued from long
after), so its layout is not the internal dataclasses' but these lists of names: a field
is written under the name listed here, and read back by that name. A field an older record lacks
takes its dataclass's default; a renamed or reshaped field gets an upgrade step from the version
before it (`_UPGRADES`), and `SCHEMA_VERSION` goes up. Records with no `schema_version` are
version 1, which named the same fields as version 2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar

from app.checks.verdicts import StepCheck
from app.core.adaptive import SearchTally
from app.engines.notes import Note, NoteRead
from app.service.outcome import (
    ChainCounts,
    ChainRecord,
    CheckTally,
    ContextTally,
    PruneEvent,
    StepNode,
    Timings,
    ToolTally,
    Usage,
)
from app.service.params import SolveParams
from app.tools.calls import ToolCall, ToolResult

T = TypeVar("T")

SCHEMA_VERSION = 2

# The request's parameters the record keeps: a new parameter is recorded (and continued) by
# adding its name here; a record written before it has none, and is read with the default.
RECORDED_PARAMS = (
    "problem",
    "n",
    "temperature",
    "top_p",
    "max_tokens",
    "seed",
    "aggregation",
    "selection",
    "system",
    "summary",
    "max_tokens_flexible",
    "strategy",
    "max_reasoning_tokens",
    "max_latency_ms",
    "store",
    "checks",
    "check_fail_cap",
    "tools",
    "max_tool_calls",
    "notes",
)
CHAIN_FIELDS = (
    "text",
    "steps",
    "step_scores",
    "chain_score",
    "outcome_score",
    "answer",
    "votes",
    "finish_reason",
    "tokens",
    "leaf",
    "step_checks",
    "tool_calls",
    "notes",
    "set_aside",
)
PRUNE_FIELDS = ("index", "steps_scored", "score", "tokens")
SEARCH_FIELDS = (
    "started",
    "pruned",
    "finished",
    "truncated",
    "reasoning_tokens",
    "stop_reason",
    "steps",
    "resamplings",
    "branches",
)
TREE_FIELDS = ("node", "parent", "depth", "tokens", "score")
STEP_CHECK_FIELDS = ("verdict", "checker", "claim", "value", "elapsed_ms")
CHECK_FIELDS = ("checkers", "steps_checked", "steps_passed", "steps_failed", "steps_none", "chains_vetoed")
COUNT_FIELDS = ("sampled", "voted", "truncated", "unscored")
USAGE_FIELDS = ("prompt_tokens", "reasoning_tokens", "scored_tokens", "tool_calls")
# A tool call is recorded flat: the call's fields, then its result's.
TOOL_CALL_FIELDS = ("tool", "code", "written", "step", "wall_ms")
TOOL_RESULT_FIELDS = ("output", "outcome", "cpu_ms", "exit_status")
TOOL_TALLY_FIELDS = ("tools", "calls", "outcomes", "chains_calling")
TIMING_FIELDS = ("generate_s", "score_s", "select_s", "total_s")
# The client's notes: each note (its text is the client's, hidden under store: false like the
# problem), where each chain read them, and the tally.
NOTE_FIELDS = ("text", "at_s")
NOTE_READ_FIELDS = ("number", "step", "steps")
CONTEXT_FIELDS = ("notes", "chains_reached", "chains_set_aside")

# Each type's names, for the check that every field of it is recorded.
RECORDED: dict[type, tuple[str, ...]] = {
    SolveParams: RECORDED_PARAMS,
    ChainRecord: CHAIN_FIELDS,
    PruneEvent: PRUNE_FIELDS,
    StepNode: TREE_FIELDS,
    StepCheck: STEP_CHECK_FIELDS,
    ToolCall: (*TOOL_CALL_FIELDS, "result"),
    ToolResult: TOOL_RESULT_FIELDS,
    ToolTally: TOOL_TALLY_FIELDS,
    Note: NOTE_FIELDS,
    NoteRead: NOTE_READ_FIELDS,
    ContextTally: CONTEXT_FIELDS,
    CheckTally: CHECK_FIELDS,
    SearchTally: SEARCH_FIELDS,
    ChainCounts: COUNT_FIELDS,
    Usage: USAGE_FIELDS,
    Timings: TIMING_FIELDS,
}


class UnknownRecordVersion(ValueError):
    """A record of a schema version this code cannot read (a newer release wrote it)."""


def fields_of(value: object, names: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of `value`, for a record."""
    return {name: getattr(value, name) for name in names}


def built(kind: Callable[..., T], names: tuple[str, ...], recorded: Mapping[str, Any]) -> T:
    """A `kind` from a record's fields by name: what the record lacks takes the default."""
    return kind(**{name: recorded[name] for name in names if name in recorded})


def version_of(content: Mapping[str, Any]) -> int:
    version = content.get("schema_version", 1)
    if type(version) is not int or not 1 <= version <= SCHEMA_VERSION:
        raise UnknownRecordVersion(
            f"an audit record of schema version {version!r}: this server reads versions 1 to {SCHEMA_VERSION} "
            "(a newer release wrote it)"
        )
    return version


def _same_fields(content: Mapping[str, Any]) -> Mapping[str, Any]:
    return content


# From each version to the next: version 2 only stamped the version on the fields version 1 named.
_UPGRADES: dict[int, Callable[[Mapping[str, Any]], Mapping[str, Any]]] = {1: _same_fields}


def current(content: Mapping[str, Any]) -> Mapping[str, Any]:
    """A solve record's content in today's layout, whichever version wrote it."""
    for version in range(version_of(content), SCHEMA_VERSION):
        content = _UPGRADES[version](content)
    return content


def params_of(content: Mapping[str, Any]) -> SolveParams:
    params = built(SolveParams, RECORDED_PARAMS, content["params"])
    return replace(params, checks=tuple(params.checks), tools=tuple(params.tools), notes=tuple(params.notes))


def chains_of(content: Mapping[str, Any]) -> tuple[ChainRecord, ...]:
    return tuple(_chain(chain) for chain in content["chains"])


def _chain(recorded: Mapping[str, Any]) -> ChainRecord:
    chain = built(ChainRecord, CHAIN_FIELDS, recorded)
    checks = tuple(built(StepCheck, STEP_CHECK_FIELDS, check) for check in recorded.get("step_checks", ()))
    calls = tuple(tool_call_of(call) for call in recorded.get("tool_calls", ()))
    notes = tuple(built(NoteRead, NOTE_READ_FIELDS, read) for read in recorded.get("notes", ()))
    return replace(chain, step_checks=checks, tool_calls=calls, notes=notes)


def tool_call_of(recorded: Mapping[str, Any]) -> ToolCall:
    result = built(ToolResult, TOOL_RESULT_FIELDS, recorded)
    return ToolCall(**{name: recorded[name] for name in TOOL_CALL_FIELDS}, result=result)


def checks_of(content: Mapping[str, Any]) -> CheckTally | None:
    checks = content.get("checks")
    return None if checks is None else built(CheckTally, CHECK_FIELDS, checks)


def notes_of(content: Mapping[str, Any]) -> tuple[str, ...]:
    """The client's notes, as a continuation's chains read them (none in an older record)."""
    context = content.get("context")
    return () if context is None else tuple(note["text"] for note in context["notes"])


def prunes_of(content: Mapping[str, Any]) -> tuple[PruneEvent, ...]:
    return tuple(built(PruneEvent, PRUNE_FIELDS, prune) for prune in content["pruned"])


def tree_of(content: Mapping[str, Any]) -> tuple[StepNode, ...]:
    """A step-level search's tree (none in a record of another strategy's, or an older one)."""
    return tuple(built(StepNode, TREE_FIELDS, node) for node in content.get("tree", ()))


def search_of(content: Mapping[str, Any]) -> SearchTally | None:
    search = content.get("search")
    return None if search is None else built(SearchTally, SEARCH_FIELDS, search)


def usage_of(content: Mapping[str, Any]) -> Usage:
    return built(Usage, USAGE_FIELDS, content["usage"])
