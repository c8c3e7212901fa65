"""What the three dialects' requests (`/solve`, chat completions, responses) declare alike.

A field every dialect offers with the same meaning is declared here, once. The sampling
parameters are read by their names (`Sampling`'s, which are vLLM's and OpenAI's): a dialect that
declares one passes it on, and one it does not declare is left to the server.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from app.service.params import SAMPLING_PARAMS, Sampling

TOP_P = (
    "Nucleus sampling, as OpenAI's and vLLM's top_p: each token of a chain is drawn from the most likely tokens "
    "whose probabilities add up to top_p (default 1: from all of them)."
)


class RequestBase(BaseModel):
    top_p: float | None = Field(default=None, gt=0, le=1, description=TOP_P)
    store: bool | None = Field(
        default=None,
        description="false: the server's audit record of this request keeps only metadata and hashes, not the "
        "problem, the hidden chains, the answer or the summary (kept by default).",
    )

    def sampling(self) -> Sampling:
        """How this request asks for its chains to be sampled."""
        return Sampling(**{name: getattr(self, name, None) for name in SAMPLING_PARAMS})
