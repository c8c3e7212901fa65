"""What a client's notes do to an answer: which chains vote (the ones that read every note, where
any did: `app/core/votes.py:heeding`), and how the summary tells it, in counts only (a note is the
client's own text, but where it landed in a chain is chain text)."""

from __future__ import annotations

from dataclasses import replace

from app.core.votes import heeding
from app.service.outcome import ChainRecord, ContextTally


def set_aside(records: list[ChainRecord], notes: int) -> list[ChainRecord]:
    """The records with the chains that ended before a note other chains read out of the vote."""
    votes = heeding([r.votes for r in records], [r.notes_read for r in records], notes)
    return [
        r if vote == r.votes else replace(r, votes=False, set_aside=True)
        for r, vote in zip(records, votes, strict=True)
    ]


def in_words(tally: ContextTally, chains: int) -> str:
    """One sentence on the notes and the chains they reached."""
    count = len(tally.notes)
    notes = "the client's note" if count == 1 else f"the client's {count} notes"
    sentence = f"{notes[0].upper()}{notes[1:]} reached {tally.chains_reached} of {chains} chains"
    if tally.chains_set_aside:
        sentence += f"; {tally.chains_set_aside} that ended before {'it' if count == 1 else 'them'} did not vote"
    return sentence + "."
