"""The remote step scorer: the reward worker (`bon worker`) over httpx.

The worker owns the reward model's input format, so the app sends only the problem and each
chain's steps and gets one score per step back. The request id goes along, so the worker's log
lines for a request (and for the batch that served it) name the API's id. Where the worker has
several replicas (`ReplicaPool`), a request's calls all go to the one its id picks (`pinned`): a
growing chain is re-read through that replica's prefix cache.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from pydantic import ValidationError

from app.engines.http_common import request_json
from app.engines.protocols import REWARD_MODEL, StepScores
from app.engines.replicas import OnReplicas, ReplicaPool
from app.errors import EngineError, EngineUnavailable
from app.reward_wire import RewardKind, RoomRequest, RoomResponse, ScoreRequest, ScoreResponse, WorkerReady
from app.web.request_id import HEADER as REQUEST_ID


class RemoteStepScorer(OnReplicas):
    def __init__(self, pool: ReplicaPool, reward: RewardKind = "process", *, required: bool = True) -> None:
        self._pool = pool
        self._reward = reward
        # An optional model (the outcome model under `auto`) may be missing from the worker without
        # the API being unready; asking for it then gets the worker's clear refusal.
        self._required = required

    async def score(self, problem: str, chains: Sequence[Sequence[str]], request_id: str) -> StepScores:
        body = ScoreRequest(problem=problem, chains=[list(c) for c in chains], reward=self._reward)
        raw = await self._pool.request_json(
            self._key or request_id, "POST", "/score", body.model_dump(), headers={REQUEST_ID: request_id}
        )
        try:
            answer = ScoreResponse.model_validate(raw)
        except ValidationError as exc:
            raise EngineError(REWARD_MODEL, f"the worker's answer is not a score response: {exc}") from exc
        unread = set(answer.unread)
        got = [len(s) for s in answer.scores]
        want = [0 if i in unread else len(c) for i, c in enumerate(chains)]
        if got != want or not unread <= set(range(len(chains))):
            raise EngineError(REWARD_MODEL, f"expected step counts {want}, the worker returned {got}")
        if any(not 0.0 <= s <= 1.0 for row in answer.scores for s in row):
            raise EngineError(REWARD_MODEL, "the worker returned a score outside [0, 1]")
        return StepScores(answer.scores, answer.tokens_scored, tuple(sorted(unread)), answer.tokens_cached)

    async def readable_tokens(self, problem: str) -> int:
        body = RoomRequest(problem=problem, reward=self._reward)
        raw = await self._pool.request_json(self._key or problem, "POST", "/room", body.model_dump())
        try:
            return RoomResponse.model_validate(raw).tokens
        except ValidationError as exc:
            raise EngineError(REWARD_MODEL, f"the worker's /room answer is unexpected: {exc}") from exc

    async def check(self) -> None:
        """Every replica is asked; ready while one serves the model."""
        await self._pool.check("/ready", self._check_replica)

    async def _check_replica(self, client: httpx.AsyncClient) -> None:
        raw = await request_json(client, REWARD_MODEL, "GET", "/ready")
        try:
            ready = WorkerReady.model_validate(raw)
        except ValidationError as exc:
            raise EngineError(REWARD_MODEL, f"the worker's /ready answer is unexpected: {exc}") from exc
        if self._reward not in ready.models and self._required:
            raise EngineUnavailable(REWARD_MODEL, f"the worker serves no {self._reward} reward model")
