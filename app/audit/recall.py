"""Continuing an answer this process does not hold: its search rebuilt from the audit store's
records, so `POST /solve/{request_id}/continue` works after a restart, and on any replica that
shares the store (PostgreSQL). Only answers recorded with their texts (`store` not false) can be
rebuilt: a record of hashes holds no chain to vote again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from app.audit.layout import (
    UnknownRecordVersion,
    chains_of,
    current,
    notes_of,
    params_of,
    prunes_of,
    search_of,
    tree_of,
    usage_of,
)
from app.audit.record import Row, content_of, moment_of
from app.audit.store import AuditStore
from app.errors import RequestExpired
from app.service.kept import KeptSearch

log = logging.getLogger(__name__)


def kept_search_of(rows: Sequence[Row]) -> KeptSearch | None:
    """A request's search as its records leave it: the first run's parameters, and every chain,
    cost and cut of the last run (which holds the earlier ones). Only the last answer given under
    the id and its continuations count (a request id is the client's to choose, and may be reused),
    all by one key. None when there is nothing to continue: the texts were not kept, the answer was
    not one to continue (the OpenAI routes'), or the records disagree on whose it is. Records of
    every schema version are read into today's types (`UnknownRecordVersion` for a newer one)."""
    solves = [row for row in rows if row.kind == "solve"]
    starts = [i for i, row in enumerate(solves) if not content_of(row).get("continued")]
    if not starts:
        return None
    lineage = solves[starts[-1] :]
    first, last = current(content_of(lineage[0])), current(content_of(lineage[-1]))
    if not all(row.stored for row in lineage) or not first.get("continuable", False):
        return None
    if len({row.key_id for row in lineage}) != 1:
        return None
    return KeptSearch(
        params=params_of(first),
        chains=chains_of(last),
        usage=usage_of(last),
        search=search_of(last),
        continued=len(lineage) - 1,
        prunes=prunes_of(last),
        owner=lineage[-1].key_id,
        tree=tree_of(last),
        notes=notes_of(last),
    )


class Recall:
    """Looks a request up in the store; answers older than `ttl_s` are expired there as here. An
    unreachable store, or a record of a schema version this server cannot read, leaves the answer
    unknown (logged)."""

    def __init__(self, store: AuditStore, ttl_s: float, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self._store = store
        self._ttl_s = ttl_s
        self._clock = clock

    async def __call__(self, request_id: str) -> KeptSearch | None:
        try:
            rows = await self._store.trace(request_id)
        except Exception as exc:  # an unreachable store: the answer is as unknown as if never recorded
            log.warning("could not look request %s up in the audit store: %s", request_id, exc)
            return None
        if not rows:
            return None
        age = (self._clock() - moment_of(rows[-1].created_at)).total_seconds()
        if age > self._ttl_s:
            raise RequestExpired(
                f"request {request_id} can no longer be continued: answers are kept for {self._ttl_s:g} s"
            )
        try:
            return kept_search_of(rows)
        except UnknownRecordVersion as exc:  # a newer replica's: as unknown here as an unreachable store's
            log.warning("request %s cannot be continued by this server: %s", request_id, exc)
            return None
