"""`StepTree`: every step a step-level search decoded, and which step each one went on from.

Chains of the search share their prefixes: a step is decoded once, as a node, and every chain
through it is the path from its first step to its last (a leaf). The tree is the one owner of the
steps' texts, tokens and scores; the population (which chains are alive) is the driver's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.votes import TRUNCATED
from app.engines.protocols import StepDraft
from app.service.outcome import StepNode

START = -1  # the empty chain every first step grows from


@dataclass(slots=True)
class _Step:
    parent: int
    draft: StepDraft
    finish: str | None
    depth: int
    scores: list[float] = field(default_factory=list)  # the reward model's, every step through here
    score: float = 0.0  # aggregated


class StepTree:
    def __init__(self) -> None:
        self._steps: list[_Step] = []
        self.decoded = 0  # tokens, every step

    def add(self, parent: int, draft: StepDraft) -> int:
        depth = 1 if parent == START else self._steps[parent].depth + 1
        self._steps.append(_Step(parent, draft, draft.finish_reason, depth))
        self.decoded += draft.tokens
        return len(self._steps) - 1

    def __len__(self) -> int:
        return len(self._steps)

    def path(self, node: int) -> list[int]:
        """The nodes from the chain's first step to `node`."""
        nodes = []
        while node != START:
            nodes.append(node)
            node = self._steps[node].parent
        return nodes[::-1]

    def text(self, node: int) -> str:
        return "".join(self._steps[n].draft.text for n in self.path(node))

    def prefix_ids(self, node: int) -> list[int]:
        """The tokens the chain through `node` goes on from (none for the start)."""
        return [t for n in self.path(node) for t in self._steps[n].draft.token_ids]

    def chain_tokens(self, node: int) -> int:
        """Tokens decoded along the chain through `node`."""
        return sum(self._steps[n].draft.tokens for n in self.path(node))

    def parent(self, node: int) -> int:
        return self._steps[node].parent

    def ended(self, node: int) -> bool:
        return node != START and self._steps[node].finish is not None

    def finish(self, node: int) -> str | None:
        return None if node == START else self._steps[node].finish

    def truncate(self, node: int) -> None:
        """The chain through `node` has no tokens left for another step."""
        self._steps[node].finish = TRUNCATED

    def scored(self, node: int, scores: list[float], score: float) -> None:
        step = self._steps[node]
        step.scores, step.score = scores, score

    def scores(self, node: int) -> list[float]:
        return self._steps[node].scores

    def score(self, node: int) -> float:
        return self._steps[node].score

    def kept(self, shift: int = 0) -> tuple[StepNode, ...]:
        """The tree as the audit record keeps it: node ids (and parents) after `shift` earlier ones."""
        return tuple(
            StepNode(i + shift, None if s.parent == START else s.parent + shift, s.depth, s.draft.tokens, s.score)
            for i, s in enumerate(self._steps)
        )
