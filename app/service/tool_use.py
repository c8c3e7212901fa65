"""How a request's tool calls are told in its summary: in words and counts, never their code or
output (those are chain text)."""

from __future__ import annotations

from app.service.outcome import ToolTally


def in_words(tally: ToolTally) -> str:
    """One sentence on the calls, or nothing when the chains made none."""
    made = {tool: count for tool, count in tally.calls.items() if count}
    if not made:
        return ""
    parts = [f"the {tool} {_times(count)}" for tool, count in made.items()]
    sentence = f"The reasoning called {_joined(parts)}"
    unsuccessful = tally.total - tally.outcomes.get("ok", 0)
    if unsuccessful:
        sentence += f" ({unsuccessful} of the calls did not give a result)"
    return sentence + "."


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count} times"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
