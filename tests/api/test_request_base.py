"""The dialects' shared request fields: each dialect passes on the sampling parameters it declares,
by their names, and leaves those it does not declare to the server."""

from __future__ import annotations

from app.api.schemas.native import SolveRequest
from app.api.schemas.openai_chat import ChatCompletionRequest
from app.api.schemas.openai_responses import ResponseRequest
from app.service.params import Sampling


def test_each_dialect_passes_on_the_sampling_it_declares() -> None:
    solve = SolveRequest(problem="1+2", temperature=0.5, seed=7)
    chat = ChatCompletionRequest(model="m", messages=[{"role": "user", "content": "1+2"}], temperature=0.5, seed=7)
    responses = ResponseRequest(model="m", input="1+2", temperature=0.5, seed=7)  # seed: not a responses field
    assert solve.sampling() == chat.sampling() == Sampling(temperature=0.5, seed=7)
    assert responses.sampling() == Sampling(temperature=0.5)
    assert SolveRequest(problem="1+2").sampling() == Sampling()
