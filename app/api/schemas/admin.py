"""The wire models of the admin routes: the audit store's records. These, and only these, carry
the hidden chains; no public route's model refers to them (tests/api/test_openapi.py checks)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

# Shows the shape of a record kept with `store: false`: hashes in place of the texts. No example
# anywhere shows a hidden chain.
_EXAMPLE_RECORD: dict[str, Any] = {
    "seq": 42,
    "kind": "solve",
    "request_id": "0b6f3f7c9d8e4a1b",
    "key_id": "key-3f2a9c1d0e",
    "created_at": "2026-11-28T09:14:03.512004Z",
    "stored": False,
    "entry_id": "5f0c2a9e7b3d4e18a6c1f2b9d0e4a7c3",
    "prev_hash": "9c1e…",
    "hash": "5ab0…",
    "content": {
        "params": {"problem": {"sha256": "d2c7…"}, "n": 16, "strategy": "fixed"},
        "answer": {"sha256": "1f3b…"},
        "selected_chain": 3,
        "usage": {"prompt_tokens": 18, "reasoning_tokens": 742, "scored_tokens": 760},
    },
}


class TraceRecord(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_EXAMPLE_RECORD]})

    seq: int = Field(description="The record's place in the hash chain, from 1.")
    kind: Literal["solve", "read", "sweep"] = Field(
        description="solve: an answered request (or a continuation of one); read: an admin read these records; "
        "sweep: the retention sweep removed the records up to content.through_seq."
    )
    request_id: str | None = Field(description="The request id the answer carried (solve), or the one read (read).")
    key_id: str = Field(description="The id of the key that asked (never the key).")
    created_at: str = Field(description="When the record was made, UTC (ISO 8601).")
    stored: bool = Field(description="false: the request asked `store: false`; texts are kept as SHA-256 only.")
    entry_id: str | None = Field(description="The record's unique id (a retried write is recognised by it).")
    prev_hash: str = Field(description="The hash of the record before it.")
    hash: str = Field(description="SHA-256 over prev_hash and the record's body: `bon audit verify` checks the chain.")
    content: dict[str, Any] = Field(
        description="What was recorded. solve: params, every hidden chain (text, steps, step_scores, chain_score, "
        "answer, votes, finish_reason, tokens), pruned (the adaptive search's cuts), selected_chain, answer, the "
        "exact summary shown, confidence, clusters, counts, usage, timings."
    )


class TraceOut(BaseModel):
    request_id: str = Field(description="The request id the answer carried.")
    records: list[TraceRecord] = Field(description="Its answer, then every continuation, in order.")


class TraceHeader(BaseModel):
    seq: int = Field(description="The record's place in the hash chain.")
    kind: Literal["solve", "read", "sweep"] = Field(description="What the record is of (see TraceRecord).")
    request_id: str | None = Field(description="The request id, when the record is of one.")
    key_id: str = Field(description="The id of the key that asked.")
    created_at: str = Field(description="When the record was made, UTC.")
    stored: bool = Field(description="Whether the texts were kept (false: hashes only).")
    answer: str | None = Field(default=None, description="solve: the answer given (absent when only hashed).")
    confidence: float | None = Field(default=None, description="solve: the answer's confidence.")
    verified: bool | None = Field(default=None, description="solve: whether the answer went out verified.")
    n: int | None = Field(default=None, description="solve: chains sampled, a continuation's earlier ones included.")
    total_s: float | None = Field(default=None, description="solve: the request's time in the pipeline, seconds.")


class ChainStateOut(BaseModel):
    through_seq: int = Field(description="The last record checked.")
    ok: bool = Field(description="Every record up to it links to the one before and matches its hash.")
    checked: int = Field(description="Records checked (from the chain's start, or the last sweep's anchor).")
    head: str = Field(description="The hash of the last record checked.")
    problems: list[str] = Field(description="What does not hold, record by record (empty when ok).")


class TraceListOut(BaseModel):
    records: list[TraceHeader] = Field(description="Records, newest first; read one with GET /admin/traces/{id}.")
    next_before_seq: int | None = Field(description="Pass as before_seq for the next page; null on the last one.")
