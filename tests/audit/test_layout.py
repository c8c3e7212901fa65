"""A solve record's layout: it stamps its schema version and names every field it keeps; records
of every version read back into today's types, what an older one lacks taking today's default,
and one of a version this code does not know is refused by name, not misread."""

from __future__ import annotations

import json
from dataclasses import fields, replace
from typing import Any

import pytest

from app.audit.layout import (
    RECORDED,
    RECORDED_PARAMS,
    SCHEMA_VERSION,
    UnknownRecordVersion,
    current,
    params_of,
    search_of,
    version_of,
)
from app.audit.recall import kept_search_of
from app.audit.record import GENESIS, Entry, chain_row, content_of, solve_entry
from app.core.adaptive import SearchTally
from app.service.outcome import SolveOutcome
from tests.audit.test_record import outcome


def adaptive_outcome() -> SolveOutcome:
    solved = outcome()
    return replace(
        solved,
        params=replace(solved.params, strategy="adaptive", max_reasoning_tokens=300, max_latency_ms=900.0),
        search=SearchTally(2, 1, 1, 0, 26, "decided"),
    )


def test_every_field_of_each_recorded_type_is_named_in_the_layout() -> None:
    """A field added to one of these types and not to the layout would be lost to the record (and
    to a continuation from it): each list must name exactly its type's fields."""
    for kind, names in RECORDED.items():
        assert sorted(names) == sorted(f.name for f in fields(kind)), kind.__name__
        assert len(set(names)) == len(names), kind.__name__


def test_a_record_is_stamped_with_the_current_version_and_reads_back_whole() -> None:
    solved = adaptive_outcome()
    row = chain_row(solve_entry(solved, "key-a", stored=True), 1, GENESIS)
    content = content_of(row)
    assert content["schema_version"] == SCHEMA_VERSION == 2
    assert sorted(content["params"]) == sorted(RECORDED_PARAMS)
    kept = kept_search_of([row])
    assert kept is not None
    assert kept.params == solved.params and kept.chains == tuple(solved.chains)
    assert kept.usage == solved.usage and kept.prunes == solved.prunes and kept.search == solved.search


def version_1(content: dict[str, Any]) -> dict[str, Any]:
    """A content as version 1 wrote it: the same fields, no version stamp."""
    old = json.loads(json.dumps(content))
    del old["schema_version"]
    return old


def test_an_unstamped_record_is_version_1_and_reads_as_version_2_does() -> None:
    content = content_of(chain_row(solve_entry(adaptive_outcome(), "key-a", stored=True), 1, GENESIS))
    old = version_1(content)
    assert version_of(old) == 1 and version_of(content) == 2
    assert params_of(current(old)) == params_of(current(content))
    assert search_of(current(old)) == search_of(current(content))


def test_a_field_an_older_record_lacks_takes_todays_default() -> None:
    content = version_1(content_of(chain_row(solve_entry(outcome(), "key-a", stored=True), 1, GENESIS)))
    for later in ("summary", "max_tokens_flexible", "strategy", "max_reasoning_tokens", "max_latency_ms", "store"):
        del content["params"][later]
    content["search"] = {"started": 2}
    assert params_of(current(content)) == outcome().params  # which asked for the defaults of those
    assert search_of(current(content)) == SearchTally(started=2)


@pytest.mark.parametrize("version", [3, 0, "2", None, 2.0])
def test_a_version_this_code_does_not_know_is_refused_by_name(version: object) -> None:
    content = content_of(chain_row(solve_entry(outcome(), "key-a", stored=True), 1, GENESIS))
    content["schema_version"] = version
    with pytest.raises(UnknownRecordVersion, match=f"schema version {version!r}"):
        kept_search_of([chain_row(Entry("solve", "key-a", content, "r1"), 1, GENESIS)])
