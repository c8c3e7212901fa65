"""The summary a client sees of the hidden reasoning, never the reasoning itself.

For the shipped arithmetic task it is rebuilt from the parsed operations. For every other model it
is written by a model (the generator, or a summarizer model of its own) from the winning chain's
steps, in the length the request asks for. Whatever wrote it, a summary that repeats a run of the
hidden chains' tokens (the leak guard) is replaced by a structured one that states only the shape
of the reasoning and its answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from app.core.leak import copies_a_chain
from app.core.steps import split_thinking
from app.engines.protocols import Generator, SamplingRequest
from app.errors import BonError
from app.formats.spec import GeneratorFormat
from app.service.outcome import ChainRecord
from app.service.params import SummaryStyle
from app.summary import summarize_chain

log = logging.getLogger(__name__)

SummarySource = Literal["rule", "model", "fallback_leak", "fallback_empty", "fallback_long", "fallback_error"]

DEFAULT_INSTRUCTIONS: dict[SummaryStyle, str] = {
    "concise": "Summarize the solution below in one sentence: the method and the final answer. Use your own "
    "words; do not quote the solution.",
    "auto": "Summarize the solution below in two or three sentences: the approach, the key intermediate results "
    "and the final answer. Use your own words; do not quote the solution.",
    "detailed": "Summarize the solution below step by step, one short sentence for each main step, ending with the "
    "final answer. Use your own words; do not quote the solution.",
}
DEFAULT_MAX_TOKENS: dict[SummaryStyle, int] = {"concise": 64, "auto": 160, "detailed": 320}


@dataclass(frozen=True, slots=True)
class SummaryPrompts:
    instructions: Mapping[SummaryStyle, str] = field(default_factory=lambda: dict(DEFAULT_INSTRUCTIONS))
    max_tokens: Mapping[SummaryStyle, int] = field(default_factory=lambda: dict(DEFAULT_MAX_TOKENS))


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the pipeline knows when it summarises."""

    problem: str
    answer: str | None
    winner: ChainRecord | None
    chains: Sequence[ChainRecord]
    n: int
    confidence: float


def summary_prompt(
    fmt: GeneratorFormat,
    instructions: str,
    problem: str,
    steps: Sequence[str],
    chat: Callable[[list[tuple[str, str]]], str],
) -> str:
    """The summarizing model's prompt: the instructions, the problem and the winning chain's steps."""
    request = f"Problem:\n{problem}\n\nSolution:\n" + "\n".join(steps)
    if fmt.prompt.chat:
        return chat([("system", instructions), ("user", request)])
    return f"{instructions}\n\n{request}\n\nSummary:"


class SummaryWriter:
    def __init__(
        self,
        task_format: GeneratorFormat,
        model: Generator,
        model_format: GeneratorFormat,
        prompts: SummaryPrompts,
        on_summary: Callable[[SummarySource], None] = lambda _: None,
        guard_run: int = 12,
    ) -> None:
        self._task_format = task_format
        self._model = model  # also the tokenizer the leak guard compares tokens with
        self._model_format = model_format
        self._prompts = prompts
        self._on_summary = on_summary  # metrics: what wrote each summary
        self._guard_run = guard_run

    async def write(self, verdict: Verdict, style: SummaryStyle | None, request_id: str) -> str:
        """The summary in `style`; none ("") when no summary was asked for."""
        if style is None:
            return ""
        source: SummarySource
        if self._task_format.summary == "arith":
            text, source = self._rule(verdict, style), "rule"
        else:
            text, source = await self._written(verdict, style, request_id)
        if source in ("rule", "model"):
            chains = [self._model.token_ids(c.text) for c in verdict.chains]
            if not text.strip():
                source = "fallback_empty"
            elif copies_a_chain(self._model.token_ids(text), chains, self._guard_run):
                log.warning("a summary repeated a hidden chain; it is replaced by a structured one")
                source = "fallback_leak"
        if source not in ("rule", "model"):
            text = self._structured(verdict)
        self._on_summary(source)
        return text.strip()

    def _rule(self, verdict: Verdict, style: SummaryStyle) -> str:
        if style == "concise":
            answer = verdict.answer if verdict.answer is not None else "none"
            return (
                f"Verified {verdict.n} sampled solutions step by step; answer {answer} "
                f"(confidence {verdict.confidence:.2f})."
            )
        winner = verdict.winner
        return summarize_chain(
            "arith", winner.steps if winner else [], verdict.answer, winner.step_scores if winner else []
        )

    def _structured(self, verdict: Verdict) -> str:
        winner = verdict.winner
        return summarize_chain("", winner.steps if winner else [], verdict.answer, winner.step_scores if winner else [])

    async def _written(self, verdict: Verdict, style: SummaryStyle, request_id: str) -> tuple[str, SummarySource]:
        if verdict.winner is None:
            return "", "fallback_empty"
        max_tokens = self._prompts.max_tokens[style]
        prompt = summary_prompt(
            self._model_format,
            self._prompts.instructions[style],
            verdict.problem,
            verdict.winner.steps,
            self._model.chat_prompt,
        )
        try:
            if self._model.count_tokens(prompt) + max_tokens > await self._model.context_length():
                return "", "fallback_long"
            written = await self._model.generate(
                SamplingRequest(prompt, 1, 0.0, max_tokens, seed=0), f"{request_id}-summary"
            )
        except BonError as exc:  # the answer stands without a written summary
            log.warning("the summary could not be written: %s", exc.message)
            return "", "fallback_error"
        text = written.chains[0].text
        thinking = self._model_format.thinking
        if thinking is not None:  # a thinking summarizer: its summary is what it shows after thinking
            text = split_thinking(text, thinking.open, thinking.close)[1] or ""
        return text, "model"
