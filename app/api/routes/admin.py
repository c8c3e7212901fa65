"""The audit store's records, for holders of an admin key: `GET /admin/traces/{request_id}` (the
hidden chains included) and a filtered list. Every read is itself recorded before it is answered."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request

from app.api.schemas.admin import ChainStateOut, TraceHeader, TraceListOut, TraceOut, TraceRecord
from app.api.state import state_of
from app.audit.record import Entry, Row, content_of
from app.audit.store import verify
from app.audit.writer import AuditWriter
from app.errors import Forbidden, InvalidRequest, NoRecord, StoreUnavailable, Unauthenticated
from app.web.api_keys import ApiKeys
from app.web.errors import responses_for

router = APIRouter(prefix="/admin", tags=["admin"])
T = TypeVar("T")

ADMIN_ERRORS = (Unauthenticated, Forbidden, InvalidRequest, StoreUnavailable)
MAX_SEQ = 2**63 - 1  # a record's number is a 64-bit integer in both databases


def require_admin(request: Request) -> str:
    """The calling admin key's id. An API key is refused (403): reading hidden chains is not
    something calling the API grants."""
    admins: ApiKeys = state_of(request).admin_keys
    header = request.headers.get("authorization")
    found = admins.identify(header) if admins.enabled else None
    if found is not None:
        return found
    if not header:
        raise Unauthenticated("an admin key is needed: send Authorization: Bearer <admin key>")
    users: ApiKeys = state_of(request).api_keys
    if users.enabled and users.identify(header) is not None:
        raise Forbidden("an API key cannot read the audit store: an admin key (BON_ADMIN_KEYS) is needed")
    if not admins.enabled:
        raise Forbidden("no admin keys are configured (BON_ADMIN_KEYS): the audit store cannot be read")
    raise Unauthenticated("not a valid admin key")


def audit_writer(request: Request) -> AuditWriter:
    writer: AuditWriter | None = state_of(request).audit
    if writer is None:
        raise StoreUnavailable("this server keeps no audit records (BON_TRACE_DB=none)")
    return writer


AdminDep = Annotated[str, Depends(require_admin)]
WriterDep = Annotated[AuditWriter, Depends(audit_writer)]


async def _recorded_read(writer: AuditWriter, admin: str, what: dict[str, Any], request_id: str | None) -> None:
    try:
        await writer.record_now(Entry("read", admin, what, request_id))
    except Exception as exc:  # no read goes unrecorded
        raise StoreUnavailable(f"the audit store cannot record this read, so it is refused: {exc}") from exc


async def _read(query: Awaitable[T]) -> T:
    try:
        return await query
    except Exception as exc:
        raise StoreUnavailable(f"the audit store cannot be read now: {exc}") from exc


def glance(row: Row) -> dict[str, Any]:
    """What a list shows of a solve record without opening it; texts only where they were kept."""
    if row.kind != "solve":
        return {}
    content = content_of(row)
    answer = content.get("answer")
    return {
        "answer": answer if isinstance(answer, str) else None,
        "confidence": content.get("confidence"),
        "verified": content.get("verified"),
        "n": len(content.get("chains", [])),
        "total_s": content.get("timings", {}).get("total_s"),
    }


def _record(row: Row) -> TraceRecord:
    return TraceRecord(**row.header(), prev_hash=row.prev_hash, hash=row.hash, content=content_of(row))


@router.get(
    "/traces/{request_id}",
    operation_id="get_trace",
    response_model=TraceOut,
    responses=responses_for(*ADMIN_ERRORS, NoRecord),
)
async def get_trace(
    request_id: Annotated[str, Path(min_length=1, max_length=128, description="The request_id an answer carried.")],
    admin: AdminDep,
    writer: WriterDep,
) -> TraceOut:
    """A request's audit record, hidden chains and step scores included (its continuations too)."""
    await _recorded_read(writer, admin, {"read": "trace"}, request_id)
    rows = await _read(writer.store.trace(request_id))
    if not rows:
        raise NoRecord(f"the audit store has no record of request {request_id}")
    return TraceOut(request_id=request_id, records=[_record(r) for r in rows])


@router.get("/traces", operation_id="list_traces", response_model=TraceListOut, responses=responses_for(*ADMIN_ERRORS))
async def list_traces(
    admin: AdminDep,
    writer: WriterDep,
    key_id: Annotated[str | None, Query(max_length=64, description="Only this key's records.")] = None,
    kind: Annotated[Literal["solve", "read", "sweep"] | None, Query(description="Only records of this kind.")] = None,
    since: Annotated[datetime | None, Query(description="Only records made at or after this time.")] = None,
    until: Annotated[datetime | None, Query(description="Only records made before this time.")] = None,
    before_seq: Annotated[
        int | None, Query(ge=1, le=MAX_SEQ, description="Records before this seq (the next page).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Records per page.")] = 50,
) -> TraceListOut:
    """Records newest first, by key, kind and time (headers only: read one for its content)."""
    for name, moment in (("since", since), ("until", until)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidRequest(f"{name}: give a time zone (e.g. 2026-11-28T09:00:00Z)", name)
    query = {"key_id": key_id, "kind": kind, "since": since, "until": until, "before_seq": before_seq}
    asked = {k: str(v) for k, v in query.items() if v is not None}
    await _recorded_read(writer, admin, {"read": "list", **asked}, None)
    rows = await _read(
        writer.store.find(key_id=key_id, kind=kind, since=since, until=until, before_seq=before_seq, limit=limit)
    )
    headers = [TraceHeader(**r.header(), **glance(r)) for r in rows]
    return TraceListOut(records=headers, next_before_seq=rows[-1].seq if len(rows) == limit else None)


@router.get("/chain", operation_id="check_chain", response_model=ChainStateOut, responses=responses_for(*ADMIN_ERRORS))
async def check_chain(
    admin: AdminDep,
    writer: WriterDep,
    through_seq: Annotated[
        int, Query(ge=1, le=MAX_SEQ, description="Check the hash chain from its start up to this record.")
    ],
) -> ChainStateOut:
    """Whether the audit store's hash chain holds up to a record (what `bon audit verify` checks)."""
    await _recorded_read(writer, admin, {"read": "chain", "through_seq": str(through_seq)}, None)
    check = await _read(verify(writer.store, through_seq=through_seq))
    return ChainStateOut(
        through_seq=through_seq, ok=check.ok, checked=check.checked, head=check.head, problems=check.problems
    )
