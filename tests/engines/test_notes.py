"""A client's note read by a chain, on the fake generator: at the chain's next step boundary (what
the engine decoded past it dropped, but charged), or before its first step when the chain starts
after it; with the format's template, and no token of the note charged."""

from __future__ import annotations

import asyncio

import pytest

from app.engines.interjection import InterjectedChain
from app.engines.notes import NoteRead, Notes, step_boundary
from app.engines.protocols import ChainDelta, SamplingRequest
from tests.fakes import FORMAT, RIGHT, FakeGenerator

NOTED = "37+48=85\n85*3=300\n300-12=288\nA:288"  # the chain after the note "85*3=300"
FROM_THE_START = "37+48=90\n90*3=270\n270-12=258\nA:258"  # after the note "37+48=90"
REQUEST = SamplingRequest("Q:p\n", 1, 1.0, 160, seed=0)


def notes() -> Notes:
    return Notes(FORMAT.written_note, FORMAT.step_separator)


def spelling(text: str, _ids: object) -> tuple[int, ...]:
    return tuple(map(ord, text))


def read(gen: FakeGenerator, board: Notes, note_after_first_delta: str | None = None) -> list[ChainDelta]:
    """The chain's deltas, pulled one at a time: a note added after the first reaches the
    generator before it decodes the second."""

    async def run() -> list[ChainDelta]:
        deltas = []
        async for delta in InterjectedChain(gen, REQUEST, "r", None, spelling, board).deltas(0):
            deltas.append(delta)
            if note_after_first_delta is not None and len(deltas) == 1:
                board.add(note_after_first_delta)
        return deltas

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("before", "piece", "cut"),
    [("", "37+4", 0), ("37+4", "8=85", None), ("37+48=85", "\n85*", 1), ("37+48=85\n", "85*3", 0), ("a\n", "", 0)],
)
def test_a_step_boundary_is_found_in_a_delta_or_where_the_chain_stands(before: str, piece: str, cut: int) -> None:
    assert step_boundary(before, piece, "\n") == cut


def test_a_boundary_split_between_two_deltas_is_found() -> None:
    assert step_boundary("a\n", "\nb", "\n\n") == 1
    assert step_boundary("a\n\n", "b", "\n\n") == 0


def test_a_note_added_while_the_chain_decodes_is_read_at_its_next_step_boundary() -> None:
    gen = FakeGenerator(chains=[RIGHT, NOTED])
    deltas = read(gen, notes(), note_after_first_delta="85*3=300")
    assert "".join(d.text for d in deltas) == "37+48=85\n85*3=300\n" + "300-12=288\nA:288"
    noted = [d for d in deltas if d.note is not None]
    assert [(d.text, d.tokens, d.note) for d in noted] == [("85*3=300\n", 0, NoteRead(1, 1))]
    # The delta that crossed the boundary ("\n85*") was cut at it; its four tokens were decoded.
    assert sum(d.tokens for d in deltas) == len("37+48=85\n85*") + len("300-12=288\nA:288")
    assert len(gen.requests) == 2  # the segment cut at the boundary, and the one after the note


def test_a_chain_started_after_a_note_reads_it_before_its_first_step() -> None:
    board = notes()
    board.add("37+48=90")
    deltas = read(FakeGenerator(chains=[FROM_THE_START, RIGHT]), board)
    assert deltas[0].note == NoteRead(1, 0) and deltas[0].text == "37+48=90\n"
    assert "".join(d.text for d in deltas) == FROM_THE_START


def test_a_chain_with_no_note_decodes_in_one_segment() -> None:
    gen = FakeGenerator(chains=[RIGHT])
    deltas = read(gen, notes())
    assert "".join(d.text for d in deltas) == RIGHT and len(gen.requests) == 1
    assert all(d.note is None for d in deltas)


def test_a_continuations_chains_read_every_earlier_note_first() -> None:
    board = Notes(FORMAT.written_note, FORMAT.step_separator, carried=("37+48=90",))
    deltas = read(FakeGenerator(chains=[FROM_THE_START]), board)
    assert deltas[0].note == NoteRead(1, 0)
    assert board.notes[0].at_s == 0.0
