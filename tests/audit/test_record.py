"""The hash chain and the record's content, as pure functions: an intact chain checks, and any
single change to it (a body, a hash, a column, a missing, inserted or swapped record) is found."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from app.audit.record import GENESIS, Anchor, ChainCheck, Entry, Row, chain_row, content_of, sha256, solve_entry
from app.core.select import AnswerCluster
from app.service.outcome import ChainCounts, ChainRecord, PruneEvent, SolveOutcome, Timings, Usage
from app.service.params import SolveParams

CANARY = "CANARY-audit-5e1d"

texts = st.text(min_size=0, max_size=20)
contents = st.dictionaries(st.text(min_size=1, max_size=5), st.one_of(texts, st.integers(), st.booleans()), max_size=4)
entries = st.builds(
    Entry,
    kind=st.sampled_from(["solve", "read", "sweep"]),
    key_id=st.text(min_size=1, max_size=12),
    content=contents,
    request_id=st.one_of(st.none(), st.text(min_size=1, max_size=16)),
    stored=st.booleans(),
    created_at=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
)


def chain_of(items: list[Entry], start: Anchor | None = None) -> list[Row]:
    seq, prev = (start.seq, start.hash) if start else (0, GENESIS)
    rows = []
    for entry in items:
        seq += 1
        row = chain_row(entry, seq, prev)
        rows.append(row)
        prev = row.hash
    return rows


def check(rows: list[Row], anchor: Anchor | None = None) -> ChainCheck:
    found = ChainCheck(anchor=anchor)
    for row in rows:
        found.feed(row)
    return found


@given(st.lists(entries, min_size=1, max_size=8))
def test_an_intact_chain_checks_and_its_head_is_the_last_hash(items: list[Entry]) -> None:
    rows = chain_of(items)
    result = check(rows)
    assert result.ok, result.problems
    assert result.checked == len(rows) and result.head == rows[-1].hash


TAMPERINGS = ["body", "hash", "prev_hash", "key_id", "created_at", "stored", "drop", "insert", "swap"]


@given(st.lists(entries, min_size=3, max_size=8), st.data())
def test_any_single_tampering_is_found(items: list[Entry], data: st.DataObject) -> None:
    rows = chain_of(items)
    i = data.draw(st.integers(0, len(rows) - 2), label="at")
    how = data.draw(st.sampled_from(TAMPERINGS), label="how")
    row = rows[i]
    match how:
        case "body":
            body = json.loads(row.body)
            body["content"] = {**body["content"], "altered": True}
            rows[i] = replace(row, body=json.dumps(body))
        case "hash":
            rows[i] = replace(row, hash=sha256("forged"))
        case "prev_hash":
            rows[i] = replace(row, prev_hash=sha256("forged"))
        case "key_id":
            rows[i] = replace(row, key_id=row.key_id + "x")
        case "created_at":
            rows[i] = replace(row, created_at="2019-01-01T00:00:00.000000Z")
        case "stored":
            rows[i] = replace(row, stored=not row.stored)
        case "drop":
            del rows[i]
        case "insert":
            rows.insert(i, chain_row(Entry("solve", "intruder", {}), row.seq, row.prev_hash))
        case "swap":
            rows[i], rows[i + 1] = rows[i + 1], rows[i]
    assert not check(rows).ok, how


def test_a_rehashed_forgery_still_breaks_the_next_link() -> None:
    """Rewriting a record and its own hash is not enough: the next record names the old hash."""
    rows = chain_of([Entry("solve", "k", {"answer": "243"}), Entry("solve", "k", {"answer": "7"})])
    body = rows[0].body.replace('"answer":"243"', '"answer":"244"')
    rows[0] = replace(rows[0], body=body, hash=sha256(f"{GENESIS}\n{body}"))
    assert check(rows).problems == ["record 2: its previous hash is not the hash of the record before it"]


@given(st.lists(entries, min_size=5, max_size=8), st.integers(1, 3))
def test_a_swept_chain_checks_from_its_anchor_and_only_from_it(items: list[Entry], swept: int) -> None:
    rows = chain_of(items)
    anchor = Anchor(rows[swept - 1].seq, rows[swept - 1].hash)
    assert check(rows[swept:], anchor).ok
    assert not check(rows[swept:]).ok  # without the anchor, records are missing
    assert not check(rows[swept + 1 :], anchor).ok  # one more removed than the anchor says


def outcome(stored: bool = True) -> SolveOutcome:
    chains = [
        ChainRecord(f"{CANARY}\n37+48=85\nA:85", [CANARY, "37+48=85", "A:85"], [0.2, 0.9, 0.8], 0.2, None, "85",
                    True, "stop", 17),
        ChainRecord(f"{CANARY}\n37+48=86", [CANARY, "37+48=86"], [0.3, 0.05], 0.05, None, None, False, "aborted", 9),
    ]  # fmt: skip
    params = SolveParams(f"{CANARY} 37+48", 2, 1.0, 64, 7, "min", "prm_weighted_vote", store=stored)
    return SolveOutcome(
        request_id="r1",
        params=params,
        answer="85",
        summary=f"summary of {CANARY}",
        confidence=0.93,
        calibrated=True,
        verified=True,
        clusters=(AnswerCluster("85", (0,), 1, 0.2),),
        winner_step_scores=[0.2, 0.9, 0.8],
        counts=ChainCounts(2, 1, 0, 0),
        usage=Usage(10, 26, 30),
        timings=Timings(0.1, 0.05, 0.01, 0.16),
        chains=chains,
        winner_index=0,
        prunes=(PruneEvent(1, 2, 0.05, 9),),
    )


def test_a_solve_record_holds_every_chain_its_scores_the_pruning_and_the_summary_shown() -> None:
    content = content_of(chain_row(solve_entry(outcome(), "key-1", stored=True), 1, GENESIS))
    assert content["params"]["problem"] == f"{CANARY} 37+48" and content["params"]["seed"] == 7
    assert [c["text"] for c in content["chains"]] == [c.text for c in outcome().chains]
    assert content["chains"][0]["step_scores"] == [0.2, 0.9, 0.8]
    assert content["chains"][1]["finish_reason"] == "aborted"
    assert content["pruned"] == [{"index": 1, "steps_scored": 2, "score": 0.05, "tokens": 9}]
    assert content["selected_chain"] == 0 and content["answer"] == "85"
    assert content["summary"] == f"summary of {CANARY}"
    assert content["usage"] == {"prompt_tokens": 10, "reasoning_tokens": 26, "scored_tokens": 30, "tool_calls": 0}
    assert content["continued"] is False


def test_store_false_keeps_metadata_and_hashes_and_no_text() -> None:
    row = chain_row(solve_entry(outcome(stored=False), "key-1", stored=False), 1, GENESIS)
    assert CANARY not in row.body
    content = content_of(row)
    assert content["chains"][0]["text"] == {"sha256": sha256(outcome().chains[0].text)}
    assert content["params"]["problem"] == {"sha256": sha256(f"{CANARY} 37+48")}
    assert content["summary"] == {"sha256": sha256(f"summary of {CANARY}")}
    assert content["chains"][0]["step_scores"] == [0.2, 0.9, 0.8] and content["usage"]["reasoning_tokens"] == 26
    assert row.stored is False


def test_timestamps_are_utc_in_one_format_whatever_zone_they_come_in() -> None:
    moment = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    elsewhere = moment.astimezone(timezone(timedelta(hours=5, minutes=30)))
    for given_as in (moment, elsewhere):
        assert chain_row(Entry("read", "k", {}, created_at=given_as), 1, GENESIS).created_at == (
            "2026-11-28T09:00:00.000000Z"
        )


def test_with_the_servers_hash_key_store_false_keeps_hmacs_no_one_can_test_guesses_against() -> None:
    import hashlib
    import hmac

    key = b"server-secret-0123456789"
    content = content_of(chain_row(solve_entry(outcome(stored=False), "k", False, hash_key=key), 1, GENESIS))
    answer = hmac.new(key, b"85", hashlib.sha256).hexdigest()
    assert content["answer"] == {"hmac_sha256": answer}
    assert content["answer"] != {"sha256": sha256("85")}  # a guess hashed without the key finds nothing
    assert set(content["chains"][0]["text"]) == {"hmac_sha256"}
