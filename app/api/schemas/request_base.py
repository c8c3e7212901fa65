"""What the three dialects' requests (`/solve`, chat completions, responses) declare alike.

A field every dialect offers with the same meaning is declared here, once. The sampling
parameters are read by their names (`Sampling`'s, which are vLLM's and OpenAI's): a dialect that
declares one passes it on, and one it does not declare is left to the server.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.service.params import SAMPLING_PARAMS, ChecksAsked, Sampling

TOP_P = (
    "Nucleus sampling, as OpenAI's and vLLM's top_p: each token of a chain is drawn from the most likely tokens "
    "whose probabilities add up to top_p (default 1: from all of them)."
)


# A request's pick among named helpers (step checkers, tools): the server's, none, or these names.
NamesAsked = Literal["auto", "none"] | list[Annotated[str, StringConstraints(max_length=32)]]


class RequestBase(BaseModel):
    top_p: float | None = Field(default=None, gt=0, le=1, description=TOP_P)
    store: bool | None = Field(
        default=None,
        description="false: the server's audit record of this request keeps only metadata and hashes, not the "
        "problem, the hidden chains, the answer or the summary (kept by default).",
    )

    checks: NamesAsked | None = Field(
        default=None,
        max_length=8,
        description="Step checkers that read every step beside the reward model: `auto` (the default: those the "
        "server's format declares), `none`, or names (`numeric`: a calculator over arithmetic claims; `latex`: "
        "LaTeX equalities; `arith`: the shipped task's own grammar). A step found false has its score capped and its "
        "chain cannot make the answer verified.",
    )

    def sampling(self) -> Sampling:
        """How this request asks for its chains to be sampled."""
        return Sampling(**{name: getattr(self, name, None) for name in SAMPLING_PARAMS})

    def checks_asked(self) -> ChecksAsked:
        """What this request asks of the step checkers."""
        if self.checks is None:
            return "auto"
        return self.checks if isinstance(self.checks, str) else tuple(self.checks)
