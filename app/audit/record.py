"""Audit records and the hash chain that links them: pure functions, no I/O.

Each record is one JSON document (`body`): its place in the chain (`seq`), what it records (`kind`),
whose key asked, when, and the content. Its `hash` is SHA-256 over the previous record's hash and
the body, so changing a body, a hash, or removing a record breaks every link after it. A retention
sweep removes only the oldest records and leaves an anchor (the last removed record's seq and
hash) for the chain to start from. A solve record's content carries its `schema_version` and the
fields `layout` names; the chain hashes a body whatever its version, so records of every version
check together.

`stored=False` (OpenAI's `store: false`) keeps only metadata and hashes: the problem, the chains,
the answer and the summary are replaced by a digest, so a text shown later can still be matched
against the record, but none can be read from it. With the server's hash key (`BON_TRACE_HASH_KEY`)
the digest is an HMAC, so a short text such as an answer cannot be found by hashing candidates
either; without it, a plain SHA-256, which hides only what is long and unpredictable.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from app.audit.layout import (
    CHAIN_FIELDS,
    CHECK_FIELDS,
    CONTEXT_FIELDS,
    COUNT_FIELDS,
    NOTE_READ_FIELDS,
    PRUNE_FIELDS,
    RECORDED_PARAMS,
    SCHEMA_VERSION,
    SEARCH_FIELDS,
    STEP_CHECK_FIELDS,
    TIMING_FIELDS,
    TOOL_CALL_FIELDS,
    TOOL_RESULT_FIELDS,
    TOOL_TALLY_FIELDS,
    TREE_FIELDS,
    USAGE_FIELDS,
    fields_of,
)
from app.checks.verdicts import StepCheck
from app.service.outcome import ContextTally, SolveOutcome
from app.tools.calls import ToolCall

GENESIS = "0" * 64  # the "previous hash" of the first record
Kind = Literal["solve", "read", "sweep"]
HEADER_FIELDS = ("seq", "kind", "request_id", "key_id", "created_at", "stored", "entry_id")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(value: Any) -> str:
    """One spelling of a JSON value (sorted keys, no spaces): what is hashed is what is stored."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def link(prev_hash: str, body: str) -> str:
    return sha256(f"{prev_hash}\n{body}")


TIMESTAMP = "%Y-%m-%dT%H:%M:%S.%fZ"


def timestamp(moment: datetime) -> str:
    """UTC, microseconds, one format: the string is hashed, so it must read back the same."""
    return moment.astimezone(UTC).strftime(TIMESTAMP)


def moment_of(stamp: str) -> datetime:
    """The moment a `timestamp` names."""
    return datetime.strptime(stamp, TIMESTAMP).replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Entry:
    """A record before it has a place in the chain."""

    kind: Kind
    key_id: str
    content: Mapping[str, Any]
    request_id: str | None = None
    stored: bool = True
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # Unique: a batch written again after a timeout that hid its commit is not recorded twice.
    entry_id: str = field(default_factory=lambda: uuid.uuid4().hex)


@dataclass(frozen=True, slots=True)
class Row:
    """A record as the store holds it: the body, with the header fields repeated as columns for
    queries (the verifier checks they agree with the body)."""

    seq: int
    kind: str
    request_id: str | None
    key_id: str
    created_at: str
    stored: bool
    body: str
    prev_hash: str
    hash: str
    entry_id: str | None = None  # None: a record written before entry ids existed

    def header(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HEADER_FIELDS}


def chain_row(entry: Entry, seq: int, prev_hash: str) -> Row:
    """The entry placed after the record with hash `prev_hash`."""
    created_at = timestamp(entry.created_at)
    row = Row(
        seq, entry.kind, entry.request_id, entry.key_id, created_at, entry.stored, "", prev_hash, "", entry.entry_id
    )
    body = canonical({**row.header(), "content": entry.content})
    return replace(row, body=body, hash=link(prev_hash, body))


def content_of(row: Row) -> dict[str, Any]:
    content: dict[str, Any] = json.loads(row.body)["content"]
    return content


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a swept chain starts: the last removed record."""

    seq: int
    hash: str


@dataclass
class ChainCheck:
    """Checks records fed in seq order; `problems` says what is wrong, and where."""

    anchor: Anchor | None = None
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    _last: Row | None = None

    def feed(self, row: Row) -> None:
        expected_seq, expected_prev = self._expected()
        if row.seq != expected_seq:
            self.problems.append(f"record {row.seq}: expected record {expected_seq} here (records missing)")
        if row.prev_hash != expected_prev:
            self.problems.append(f"record {row.seq}: its previous hash is not the hash of the record before it")
        if link(row.prev_hash, row.body) != row.hash:
            self.problems.append(f"record {row.seq}: its hash does not match its content (altered)")
        try:
            body = json.loads(row.body)
            header = {name: body.get(name) for name in HEADER_FIELDS}
        except (ValueError, AttributeError):
            header = {}
        if header != row.header():
            self.problems.append(f"record {row.seq}: its columns disagree with its hashed body (altered)")
        self._last = row
        self.checked += 1

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def head(self) -> str:
        """The hash of the last record checked (publish it to detect a truncated tail)."""
        return self._last.hash if self._last else (self.anchor.hash if self.anchor else GENESIS)

    def _expected(self) -> tuple[int, str]:
        if self._last is not None:
            return self._last.seq + 1, self._last.hash
        if self.anchor is not None:
            return self.anchor.seq + 1, self.anchor.hash
        return 1, GENESIS


def digest(value: str, hash_key: bytes | None) -> dict[str, str]:
    """A text's stand-in when it is not kept: its SHA-256, or with the server's hash key its
    HMAC-SHA256, which no one without the key can test guesses against."""
    if hash_key is None:
        return {"sha256": sha256(value)}
    return {"hmac_sha256": hmac.new(hash_key, value.encode(), hashlib.sha256).hexdigest()}


def solve_content(outcome: SolveOutcome, stored: bool, hash_key: bytes | None = None) -> dict[str, Any]:
    """What a solved request leaves in the audit record, in the fields of the current schema
    version (`layout`): the request's parameters, every hidden chain with its step scores, the
    pruning events, the selected chain, the exact summary shown, the usage. Not `stored`: the
    texts are replaced by their digests."""

    def text(value: str | None) -> str | dict[str, str] | None:
        if value is None or stored:
            return value
        return digest(value, hash_key)

    params = fields_of(outcome.params, RECORDED_PARAMS)
    params["problem"] = text(params["problem"])
    params["system"] = text(params["system"])
    params["checks"] = list(params["checks"])  # as JSON reads it back
    params["tools"] = list(params["tools"])
    params["notes"] = [text(note) for note in params["notes"]]
    chains = []
    for i, chain in enumerate(outcome.chains):
        record = {"index": i, **fields_of(chain, CHAIN_FIELDS)}
        record["step_checks"] = [step_check(check, text) for check in chain.step_checks]
        record["tool_calls"] = [tool_call(call, text) for call in chain.tool_calls]
        record["notes"] = [fields_of(read, NOTE_READ_FIELDS) for read in chain.notes]
        if not stored:
            record["text"] = text(chain.text)
            record["steps"] = [text(step) for step in chain.steps]
            record["answer"] = text(chain.answer)
        chains.append(record)
    return {
        "schema_version": SCHEMA_VERSION,
        "params": params,
        "answer": text(outcome.answer),
        "summary": text(outcome.summary),
        "selected_chain": outcome.winner_index,
        "confidence": outcome.confidence,
        "calibrated": outcome.calibrated,
        "verified": outcome.verified,
        "clusters": [
            {"answer": text(c.answer), "members": list(c.members), "count": c.count, "weight": c.weight}
            for c in outcome.clusters
        ],
        "chains": chains,
        "pruned": [fields_of(p, PRUNE_FIELDS) for p in outcome.prunes],
        "tree": [fields_of(node, TREE_FIELDS) for node in outcome.tree],
        "checks": fields_of(outcome.checks, CHECK_FIELDS) if outcome.checks is not None else None,
        "tools": fields_of(outcome.tools, TOOL_TALLY_FIELDS) if outcome.tools is not None else None,
        "context": context(outcome.context, text) if outcome.context is not None else None,
        "search": fields_of(outcome.search, SEARCH_FIELDS) if outcome.search is not None else None,
        "counts": fields_of(outcome.counts, COUNT_FIELDS),
        "usage": fields_of(outcome.usage, USAGE_FIELDS),
        "timings": fields_of(outcome.timings, TIMING_FIELDS),
    }


def context(tally: ContextTally, text: Callable[[str | None], str | dict[str, str] | None]) -> dict[str, Any]:
    """The client's notes as recorded: each note's text (`text` hides it under `store: false`, as
    the problem is), when it came; which chains read them is in each chain's `notes`."""
    recorded = fields_of(tally, CONTEXT_FIELDS)
    recorded["notes"] = [{"text": text(note.text), "at_s": note.at_s} for note in tally.notes]
    return recorded


def tool_call(call: ToolCall, text: Callable[[str | None], str | dict[str, str] | None]) -> dict[str, Any]:
    """A tool call as recorded, flat: its code, output and what was appended are chain text
    (`text` hides them under `store: false`); the tool, outcome, exit status and times are not."""
    recorded = fields_of(call, TOOL_CALL_FIELDS) | fields_of(call.result, TOOL_RESULT_FIELDS)
    for name in ("code", "written", "output"):
        recorded[name] = text(recorded[name])
    return recorded


def step_check(check: StepCheck, text: Callable[[str | None], str | dict[str, str] | None]) -> dict[str, Any]:
    """A step's verdict as recorded: its claim and computed value are chain text (`text` hides
    them under `store: false`)."""
    recorded = fields_of(check, STEP_CHECK_FIELDS)
    recorded["claim"], recorded["value"] = text(check.claim), text(check.value)
    return recorded


def solve_entry(
    outcome: SolveOutcome,
    key_id: str,
    stored: bool,
    continued: bool = False,
    continuable: bool = True,
    hash_key: bytes | None = None,
) -> Entry:
    """`continued`: a continuation of an earlier answer (whose chains this record holds too);
    `continuable`: an answer `POST /solve/{request_id}/continue` may take up (native /solve)."""
    content = solve_content(outcome, stored, hash_key)
    content["continued"] = continued
    content["continuable"] = continuable
    return Entry("solve", key_id, content, outcome.request_id, stored)
