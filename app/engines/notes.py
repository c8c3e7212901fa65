"""A client's notes to a request's running chains (`POST /solve/{request_id}/context`).

`Notes` is the one owner of a request's notes: the route adds one, each chain reads the ones it
has not read at its next step boundary (`InterjectedChain`), written as the format says. A chain
started after a note reads it before its first step; a continuation's chains read every note of
the runs before them the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Note:
    text: str
    at_s: float  # when it arrived, from the run's start (0: carried over from an earlier run)


@dataclass(frozen=True, slots=True)
class NoteRead:
    """A chain read notes up to `number` (1-based, every note of the answer so far) at `step`
    (0-based: the steps it had written before them); their text makes `steps` steps of it."""

    number: int
    step: int
    steps: int = 1


def notes_read(reads: Sequence[NoteRead]) -> int:
    """How many of the client's notes a chain has read (its reads, in order)."""
    return reads[-1].number if reads else 0


def note_steps(reads: Sequence[NoteRead]) -> frozenset[int]:
    """The steps of a chain that are the client's notes: the reward model reads them, but they
    are the client's word, not the chain's, and are not judged (scored into the chain's score,
    checked, or a reason to cut it)."""
    return frozenset(step for read in reads for step in range(read.step, read.step + read.steps))


def judged(items: Sequence[T], reads: Sequence[NoteRead]) -> list[T]:
    """A chain's per-step items (scores, steps, checks) without the steps that are notes."""
    skip = note_steps(reads)
    return [item for k, item in enumerate(items) if k not in skip] if skip else list(items)


class Notes:
    """`written`: a note as a chain reads it (the format's note template). `step_end`: the
    format's step separator, the boundary a note waits for."""

    def __init__(
        self,
        written: Callable[[str], str],
        step_end: str,
        carried: Sequence[str] = (),
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._written, self.step_end, self._clock = written, step_end, clock
        self._notes = [Note(text, 0.0) for text in carried]
        self._started = clock()

    def add(self, note: str) -> int:
        """A note for every chain still running; how many notes there are now."""
        self._notes.append(Note(note, self._clock() - self._started))
        return len(self._notes)

    def __len__(self) -> int:
        return len(self._notes)

    @property
    def notes(self) -> tuple[Note, ...]:
        return tuple(self._notes)

    def text_after(self, read: int) -> str:
        """What a chain that has read `read` notes reads next: the newer ones, each as written."""
        return "".join(self._written(note.text) for note in self._notes[read:])


def step_boundary(before: str, piece: str, step_end: str) -> int | None:
    """Where in `piece` (what a chain wrote after `before`) its first step boundary at or after
    the end of `before` falls: the number of characters of `piece` up to it (0: `before` ends at
    one). A chain that has written nothing is at a boundary. None: no boundary in `piece`."""
    if not before:
        return 0
    text = before + piece
    at = text.find(step_end, max(0, len(before) - len(step_end)))
    if at < 0:
        return None
    return at + len(step_end) - len(before)
