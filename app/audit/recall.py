"""Continuing an answer this process does not hold: its search rebuilt from the audit store's
records, so `POST /solve/{request_id}/continue` works after a restart, and on any replica that
shares the store (PostgreSQL). Only answers recorded with their texts (`store` not false) can be
rebuilt: a record of hashes holds no chain to vote again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from app.audit.record import Row, content_of, moment_of
from app.audit.store import AuditStore
from app.core.adaptive import SearchTally
from app.errors import RequestExpired
from app.service.kept import KeptSearch
from app.service.outcome import ChainRecord, PruneEvent, Usage
from app.service.params import SolveParams

log = logging.getLogger(__name__)
_CHAIN_FIELDS = tuple(f.name for f in fields(ChainRecord))


def _chain(record: dict[str, Any]) -> ChainRecord:
    return ChainRecord(**{name: record[name] for name in _CHAIN_FIELDS})


def kept_search_of(rows: Sequence[Row]) -> KeptSearch | None:
    """A request's search as its records leave it: the first run's parameters, and every chain,
    cost and cut of the last run (which holds the earlier ones). Only the last answer given under
    the id and its continuations count (a request id is the client's to choose, and may be reused),
    all by one key. None when there is nothing to continue: the texts were not kept, the answer was
    not one to continue (the OpenAI routes'), or the records disagree on whose it is."""
    solves = [row for row in rows if row.kind == "solve"]
    starts = [i for i, row in enumerate(solves) if not content_of(row).get("continued")]
    if not starts:
        return None
    lineage = solves[starts[-1] :]
    first, last = content_of(lineage[0]), content_of(lineage[-1])
    if not all(row.stored for row in lineage) or not first.get("continuable", False):
        return None
    if len({row.key_id for row in lineage}) != 1:
        return None
    solves = lineage
    return KeptSearch(
        params=SolveParams(**first["params"]),
        chains=tuple(_chain(c) for c in last["chains"]),
        usage=Usage(**last["usage"]),
        search=SearchTally(**last["search"]) if last["search"] is not None else None,
        continued=len(solves) - 1,
        prunes=tuple(PruneEvent(**p) for p in last["pruned"]),
        owner=solves[-1].key_id,
    )


class Recall:
    """Looks a request up in the store; answers older than `ttl_s` are expired there as here."""

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
        return kept_search_of(rows)
