"""The generator's prompt for a request, as its format builds it."""

from __future__ import annotations

from app.engines.container import Engines
from app.service.params import SolveParams


def prompt_for(params: SolveParams, engines: Engines) -> str:
    """A plain format has no system turn: a system prompt is for chat."""
    prompt = engines.generator_format.prompt
    if not prompt.chat:
        return prompt.fill(params.problem)
    system = prompt.system if params.system is None else params.system
    turns = [("system", system)] if system else []
    return engines.generator.chat_prompt([*turns, ("user", prompt.fill(params.problem))])
