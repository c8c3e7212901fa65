"""The remote adapters' handling of what a remote service can do wrong: be down, time out, fail,
or answer garbage. Each becomes a domain error that names the service. (Scripted HTTP here; the
real services are exercised end to end in tests/e2e/test_split_deployment.py.)"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.checks.verdicts import StepCheck
from app.config import SHIPPED_MODELS
from app.engines.protocols import GENERATOR, REWARD_MODEL, SamplingRequest
from app.engines.remote_checks import RemoteChecks
from app.engines.remote_generator import RemoteGenerator
from app.engines.remote_scorer import RemoteStepScorer
from app.engines.replicas import ReplicaPool
from app.engines.vllm_common import load_tokenizer
from app.errors import EngineError, EngineUnavailable, InvalidRequest
from app.model_ref import ModelRef

Handler = Callable[[httpx.Request], httpx.Response]
REQUEST = SamplingRequest("Q:1+2\n", 2, 1.0, 32, seed=1)
TOKENIZER = load_tokenizer(ModelRef(str(SHIPPED_MODELS / "arith-generator")))


def pool(handler: Handler, service: str = GENERATOR) -> ReplicaPool:
    """One scripted replica, as the adapters see a remote service."""

    def connect(url: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=url, transport=httpx.MockTransport(handler))

    return ReplicaPool(service, ["http://remote"], connect)


def generator(handler: Handler) -> RemoteGenerator:
    return RemoteGenerator(pool(handler), TOKENIZER, "gen")


def completion(n: int, **extra: Any) -> dict[str, Any]:
    choices = [{"index": i, "text": "1+2=3\nA:3", "finish_reason": "stop", "token_ids": [5] * 9} for i in range(n)]
    return {"choices": choices, "usage": {"prompt_tokens": 7, "completion_tokens": 9 * n}} | extra


def test_a_good_completion_becomes_chains_with_exact_token_counts() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        import json

        seen.append(json.loads(request.content))
        return httpx.Response(200, json=completion(2))

    out = asyncio.run(generator(handler).generate(REQUEST, "r1"))
    assert [c.tokens for c in out.chains] == [9, 9] and out.prompt_tokens == 7
    body = seen[0]
    assert body["n"] == 2 and body["seed"] == 1 and body["model"] == "gen" and isinstance(body["prompt"], list)


@pytest.mark.parametrize(
    ("handler", "error", "text"),
    [
        (lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused")), EngineUnavailable, "cannot reach"),
        (lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow")), EngineUnavailable, "no answer"),
        (lambda r: httpx.Response(503, text="loading"), EngineUnavailable, "503"),
        (lambda r: httpx.Response(500, text="boom"), EngineError, "500"),
        (lambda r: httpx.Response(200, text="<html>"), EngineError, "not JSON"),
        (lambda r: httpx.Response(200, json={"choices": "many"}), EngineError, "not an OpenAI completion"),
        (lambda r: httpx.Response(200, json=completion(1)), EngineError, "asked for 2 completions"),
    ],
)
def test_generator_failures_name_the_generator(handler: Handler, error: type[EngineError], text: str) -> None:
    with pytest.raises(error) as info:
        asyncio.run(generator(handler).generate(REQUEST, "r1"))
    assert info.value.service == "generator" and text in info.value.message


def scorer(handler: Handler) -> RemoteStepScorer:
    return RemoteStepScorer(pool(handler, REWARD_MODEL), "process")


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"model": "prm", "scores": [[0.5]], "tokens_scored": 3}, "step counts"),
        ({"model": "prm", "scores": [[0.5, 1.5]], "tokens_scored": 3}, "outside [0, 1]"),
        ({"scores": None}, "not a score response"),
    ],
)
def test_scorer_garbage_is_an_engine_error_naming_the_reward_service(body: dict[str, Any], text: str) -> None:
    with pytest.raises(EngineError) as info:
        asyncio.run(scorer(lambda r: httpx.Response(200, json=body)).score("1+2", [["1+2=3", "A:3"]], "r1"))
    assert info.value.service == "reward" and text in info.value.message


def test_a_422_from_the_worker_stays_an_invalid_request() -> None:
    body = {"error": {"code": "invalid_request", "message": "a chain to score has 300 tokens"}}
    with pytest.raises(InvalidRequest, match="300 tokens"):
        asyncio.run(scorer(lambda r: httpx.Response(422, json=body)).score("1+2", [["x"]], "r1"))


def test_ready_checks_the_worker_serves_the_kind_asked_for() -> None:
    ready = {"status": "ready", "models": {"process": "arith-prm"}}
    outcome = RemoteStepScorer(pool(lambda r: httpx.Response(200, json=ready), REWARD_MODEL), "outcome")
    with pytest.raises(EngineUnavailable, match="no outcome reward model"):
        asyncio.run(outcome.check())
    asyncio.run(scorer(lambda r: httpx.Response(200, json=ready)).check())


def test_a_dead_pooled_connection_is_retried_once_on_a_fresh_one() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.ReadError("connection reset by a restarted server")
        return httpx.Response(200, json=completion(2))

    out = asyncio.run(generator(handler).generate(REQUEST, "r1"))
    assert len(out.chains) == 2 and len(calls) == 2


def test_the_scorer_sends_the_request_id_the_worker_logs_by() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"model": "prm", "scores": [[0.9, 0.8]], "tokens_scored": 9})

    asyncio.run(scorer(handler).score("1+2", [["1+2=3", "A:3"]], "req-42"))
    assert seen[0].headers["x-request-id"] == "req-42" and seen[0].url.path == "/score"


def test_chains_the_worker_could_not_read_come_back_unread() -> None:
    body = {"model": "prm", "scores": [[0.9, 0.8], []], "tokens_scored": 9, "unread": [1]}
    scores = asyncio.run(scorer(lambda r: httpx.Response(200, json=body)).score("1+2", [["a", "b"], ["c"]], "r1"))
    assert scores.per_chain == [[0.9, 0.8], []] and scores.unread == (1,)
    lying = {"model": "prm", "scores": [[0.9, 0.8], []], "tokens_scored": 9, "unread": [5]}
    with pytest.raises(EngineError, match="step counts"):
        asyncio.run(scorer(lambda r: httpx.Response(200, json=lying)).score("1+2", [["a", "b"], ["c"]], "r1"))


def test_the_reading_room_is_asked_of_the_worker_for_the_kind_it_scores_with() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        import json

        seen.append(json.loads(request.content))
        return httpx.Response(200, json={"tokens": 230})

    outcome = RemoteStepScorer(pool(handler, REWARD_MODEL), "outcome")
    assert asyncio.run(outcome.readable_tokens("1+2")) == 230 and seen == [{"problem": "1+2", "reward": "outcome"}]


def test_the_generators_context_is_the_servers_else_the_models_config_and_is_asked_again_on_check() -> None:
    listed: list[dict[str, Any]] = [{"id": "gen"}]  # an OpenAI-compatible server that does not say its context

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(200)
        return httpx.Response(200, json={"object": "list", "data": listed})

    async def scenario() -> list[int]:
        gen = RemoteGenerator(pool(handler), TOKENIZER, "gen", fallback_context=4096)
        seen = [await gen.context_length()]
        listed[0] = {"id": "gen", "max_model_len": 2048}  # restarted with another --max-model-len
        seen.append(await gen.context_length())  # remembered until the next check
        await gen.check()
        seen.append(await gen.context_length())
        return seen

    assert asyncio.run(scenario()) == [4096, 4096, 2048]
    no_config = RemoteGenerator(
        pool(lambda r: httpx.Response(200, json={"object": "list", "data": [{"id": "gen"}]})), TOKENIZER, "gen"
    )
    with pytest.raises(EngineError, match="context length"):
        asyncio.run(no_config.context_length())


def test_an_optional_outcome_model_the_worker_lacks_leaves_the_api_ready() -> None:
    def ready(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"status": "ready", "models": {"process": "prm"}})

    optional = RemoteStepScorer(pool(ready, REWARD_MODEL), "outcome", required=False)
    asyncio.run(optional.check())
    required = RemoteStepScorer(pool(ready, REWARD_MODEL), "outcome")
    with pytest.raises(EngineUnavailable, match="no outcome reward model"):
        asyncio.run(required.check())


def test_heavy_checks_go_to_the_workers_check_route_and_a_short_answer_is_an_error() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        verdicts = [{"verdict": "fail", "checker": "latex", "claim": "2+2=5", "value": "4", "elapsed_ms": 1.5}]
        return httpx.Response(200, json={"checks": verdicts * len(seen[-1]["items"])})

    checks = RemoteChecks(pool(handler, REWARD_MODEL))
    out = asyncio.run(checks.check("latex", "p", [(["a"], "$2+2=5$")], "req-7"))
    assert out == [StepCheck("fail", "latex", "2+2=5", "4", 1.5)]
    assert seen[0] == {"problem": "p", "checker": "latex", "items": [{"previous": ["a"], "step": "$2+2=5$"}]}

    def short(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"checks": []})

    with pytest.raises(EngineError, match="answered 0"):
        asyncio.run(RemoteChecks(pool(short, REWARD_MODEL)).check("latex", "p", [([], "$1=1$")], "r"))
