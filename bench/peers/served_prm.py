"""its_hub's reward-model interfaces over the shared PRM server (`bon worker`, `POST /score`).

its_hub's own PRM class loads vLLM in its process and accepts only Qwen2.5-Math-PRM-7B; these two
adapters let its algorithms use the PRM every system in the benchmark shares. Runs in its_hub's
virtual environment: stdlib and aiohttp (an its_hub dependency) only, nothing from `app`.

A response is split into steps at newlines, as the shipped generator writes them; a chain's score
is its weakest step (min), the service's default aggregation.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from its_hub.api import AbstractOutcomeRewardModel, AbstractProcessRewardModel


def steps_of(response: str) -> list[str]:
    return [line.strip() for line in response.split("\n") if line.strip()]


class ServedPRMClient:
    """One aiohttp session to the worker; counts its calls (the benchmark reports PRM calls per problem)."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/") + "/score"
        self.calls = 0
        self._session: aiohttp.ClientSession | None = None

    async def chain_scores(self, problem: str, responses: list[str]) -> list[float]:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        self.calls += 1
        body = {"problem": problem, "chains": [steps_of(r) for r in responses], "reward": "process"}
        async with self._session.post(self.url, json=body) as reply:
            reply.raise_for_status()
            scores = (await reply.json())["scores"]
        # A chain with no step (or one too long for the PRM to read) has no evidence: score 0.
        return [min(s) if s else 0.0 for s in scores]

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _problem(prompt_or_messages: Any) -> str:
    """The user's text: its_hub hands a prompt string, or chat messages (objects or dicts)."""
    if isinstance(prompt_or_messages, str):
        return prompt_or_messages
    messages = getattr(prompt_or_messages, "to_chat_messages", lambda: prompt_or_messages)()
    return next(_content(m) for m in messages if _role(m) == "user")


def _role(message: Any) -> str:
    return message["role"] if isinstance(message, dict) else message.role


def _content(message: Any) -> str:
    return (message["content"] if isinstance(message, dict) else message.content) or ""


class ServedProcessRewardModel(AbstractProcessRewardModel):
    """For ParticleFiltering: each particle's partial response scored by its weakest step so far."""

    def __init__(self, client: ServedPRMClient) -> None:
        self.client = client

    async def ascore(self, prompt_or_messages: Any, steps: Any) -> Any:
        single = isinstance(steps, str)
        scores = await self.client.chain_scores(_problem(prompt_or_messages), [steps] if single else list(steps))
        return scores[0] if single else scores

    def score(self, prompt_or_messages: Any, steps: Any) -> Any:
        raise NotImplementedError("the benchmark runs its_hub's async algorithms")


class ServedOutcomeRewardModel(AbstractOutcomeRewardModel):
    """For BestOfN, which takes an outcome reward model: each whole response scored by the PRM
    (weakest step), all of a problem's candidates in one call."""

    def __init__(self, client: ServedPRMClient) -> None:
        self.client = client

    async def ascore(self, messages: Any, orchestrator: Any = None, **kwargs: Any) -> Any:
        conversations = list(messages)
        problem = _problem(conversations[0])
        responses = [_content([m for m in c if _role(m) == "assistant"][-1]) for c in conversations]
        return await self.client.chain_scores(problem, responses)

    def score(self, messages: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("the benchmark runs its_hub's async algorithms")
