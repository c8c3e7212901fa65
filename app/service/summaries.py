"""The summary a client sees of the hidden reasoning, never the reasoning itself.

For the shipped arithmetic task it is rebuilt from the parsed operations. For every other model it
is written by a model (the generator, or a summarizer model of its own) from the winning chain's
steps, in the length the request asks for. A written summary that repeats a run of the hidden
chains' tokens (the leak guard), or that cannot be had in time, is replaced by a structured one
that states only the shape of the reasoning and its answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from app.config import Settings, SummaryStyle
from app.core.leak import DEFAULT_RUN, copies_a_chain
from app.core.steps import split_thinking
from app.engines.protocols import Generator, SamplingRequest, pinned
from app.errors import BonError
from app.formats.arith_summary import summarize_chain
from app.formats.spec import GeneratorFormat
from app.service.outcome import ChainRecord

log = logging.getLogger(__name__)

SummarySource = Literal[
    "rule", "model", "fallback_leak", "fallback_empty", "fallback_cut", "fallback_long", "fallback_error"
]

DEFAULT_INSTRUCTIONS: dict[SummaryStyle, str] = {
    "concise": "Summarize the solution below in one sentence: the method and the final answer. Use your own "
    "words; do not quote the solution.",
    "auto": "Summarize the solution below in two or three sentences: the approach, the key intermediate results "
    "and the final answer. Use your own words; do not quote the solution.",
    "detailed": "Summarize the solution below step by step, one short sentence for each main step, ending with the "
    "final answer. Use your own words; do not quote the solution.",
}
DEFAULT_MAX_TOKENS: dict[SummaryStyle, int] = {"concise": 64, "auto": 160, "detailed": 320}
DEFAULT_REQUEST = "Problem:\n{problem}\n\nSolution:\n{solution}"  # placeholders replaced literally
PLAIN_ENDING = "\n\nSummary:"  # where a model without a chat template starts writing


@dataclass(frozen=True, slots=True)
class SummaryPrompts:
    instructions: Mapping[SummaryStyle, str] = field(default_factory=lambda: dict(DEFAULT_INSTRUCTIONS))
    max_tokens: Mapping[SummaryStyle, int] = field(default_factory=lambda: dict(DEFAULT_MAX_TOKENS))
    request: str = DEFAULT_REQUEST
    timeout_s: float = 30.0  # the answer goes out with a structured summary rather than late
    guard_run: int = DEFAULT_RUN

    @classmethod
    def of(cls, settings: Settings) -> SummaryPrompts:
        """The built-in prompts, with what the settings replace."""
        return cls(
            instructions=DEFAULT_INSTRUCTIONS | (settings.summary_instructions or {}),
            max_tokens=DEFAULT_MAX_TOKENS | (settings.summary_max_tokens or {}),
            request=settings.summary_request or DEFAULT_REQUEST,
            timeout_s=settings.summary_timeout_s,
            guard_run=settings.summary_guard_tokens,
        )


@dataclass(frozen=True, slots=True)
class SummaryBrief:
    """What the pipeline knows when it summarises."""

    problem: str
    answer: str | None
    winner: ChainRecord | None
    chains: Sequence[ChainRecord]
    n: int
    confidence: float


def summary_prompt(
    fmt: GeneratorFormat,
    prompts: SummaryPrompts,
    style: SummaryStyle,
    problem: str,
    steps: Sequence[str],
    chat: Callable[[list[tuple[str, str]]], str],
) -> str:
    """The summarizing model's prompt: the instructions, the problem and the winning chain's steps.
    A thinking model's thinking is closed at once: its budget is for the summary, not for thought."""
    request = prompts.request.replace("{problem}", problem).replace("{solution}", "\n".join(steps))
    instructions = prompts.instructions[style]
    if not fmt.prompt.chat:
        return f"{instructions}\n\n{request}{PLAIN_ENDING}"
    prompt = chat([("system", instructions), ("user", request)])
    if fmt.thinking is not None:
        opened = prompt.rstrip().endswith(fmt.thinking.open)
        prompt += ("" if opened else fmt.thinking.open) + "\n\n" + fmt.thinking.close + "\n\n"
    return prompt


class SummaryWriter:
    def __init__(
        self,
        task_format: GeneratorFormat,
        model: Generator,
        model_format: GeneratorFormat,
        prompts: SummaryPrompts,
        on_summary: Callable[[SummarySource], None] = lambda _: None,
    ) -> None:
        self._task_format = task_format
        self._model = model  # also the tokenizer the leak guard compares tokens with
        self._model_format = model_format
        self._prompts = prompts
        self._on_summary = on_summary  # metrics: what wrote each summary

    async def write(self, brief: SummaryBrief, style: SummaryStyle | None, request_id: str) -> str:
        """The summary in `style`; none ("") when no summary was asked for."""
        if style is None:
            return ""
        source: SummarySource
        if self._task_format.summary == "arith":  # rebuilt from parsed operations: nothing to guard
            text, source = self._rule(brief, style), "rule"
        else:
            text, source = await self._written(brief, style, request_id)
            if source == "model" and not text.strip():
                source = "fallback_empty"
            elif source == "model" and await asyncio.to_thread(self._copies, text, brief.chains):
                log.warning("a summary repeated a hidden chain; it is replaced by a structured one")
                source = "fallback_leak"
        if source not in ("rule", "model"):
            text = self._structured(brief)
        self._on_summary(source)
        return text.strip()

    def _copies(self, text: str, chains: Sequence[ChainRecord]) -> bool:
        """The leak guard, off the event loop: N chains of thousands of tokens take a while."""
        ids = [self._model.token_ids(c.text) for c in chains]
        return copies_a_chain(self._model.token_ids(text), ids, self._prompts.guard_run)

    def _rule(self, brief: SummaryBrief, style: SummaryStyle) -> str:
        if style == "concise":
            answer = brief.answer if brief.answer is not None else "none"
            return (
                f"Verified {brief.n} sampled solutions step by step; answer {answer} "
                f"(confidence {brief.confidence:.2f})."
            )
        winner = brief.winner
        return summarize_chain(
            "arith", winner.steps if winner else [], brief.answer, winner.step_scores if winner else []
        )

    def _structured(self, brief: SummaryBrief) -> str:
        winner = brief.winner
        return summarize_chain("", winner.steps if winner else [], brief.answer, winner.step_scores if winner else [])

    async def _written(self, brief: SummaryBrief, style: SummaryStyle, request_id: str) -> tuple[str, SummarySource]:
        if brief.winner is None:
            return "", "fallback_empty"
        max_tokens = self._prompts.max_tokens[style]
        fmt = self._model_format
        model = pinned(self._model, request_id)  # where the generator has replicas: the answer's own
        prompt = summary_prompt(fmt, self._prompts, style, brief.problem, brief.winner.steps, model.chat_prompt)
        request = SamplingRequest(prompt, 1, 0.0, max_tokens, seed=0, templated=fmt.prompt.chat)
        try:
            if model.count_tokens(prompt, request.templated) + max_tokens > await model.context_length():
                return "", "fallback_long"
            async with asyncio.timeout(self._prompts.timeout_s):
                written = (await model.generate(request, f"{request_id}-summary")).chains[0]
        except (BonError, TimeoutError) as exc:  # the answer stands without a written summary
            log.warning("the summary could not be written: %s", getattr(exc, "message", "it took too long"))
            return "", "fallback_error"
        if written.finish_reason == "length":  # cut off mid-sentence
            return "", "fallback_cut"
        text = written.text
        if fmt.thinking is not None:  # had it thought all the same: what follows the thinking
            thinking, visible = split_thinking(text, fmt.thinking.open, fmt.thinking.close)
            text = visible if visible is not None else thinking
        return text, "model"
