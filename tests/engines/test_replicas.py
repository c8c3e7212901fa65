"""Replica pools: which replica a request's calls go to, failing over only while nothing of an
answer came back, replicas set aside and taken back, and names resolved again as pods come and go.
(Scripted HTTP here; real `vllm serve` and `bon worker` replicas in tests/e2e/test_replica_pools.py.)"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from prometheus_client import CollectorRegistry

from app.config import SHIPPED_MODELS, Settings
from app.engines.protocols import SamplingRequest
from app.engines.remote_generator import SESSION_HEADER, RemoteGenerator
from app.engines.remote_scorer import RemoteStepScorer
from app.engines.replica_metrics import ReplicaCollector
from app.engines.replicas import Endpoint, ReplicaPool, ReplicaState, expandable, with_address
from app.engines.vllm_common import load_tokenizer
from app.errors import EngineUnavailable, EngineUnreachable
from app.model_ref import ModelRef
from tests.conftest import examples

Handler = Callable[[str, httpx.Request], httpx.Response]  # replica URL, request → answer
TOKENIZER = load_tokenizer(ModelRef(str(SHIPPED_MODELS / "arith-generator")))
URLS = ["http://10.0.0.1:8000", "http://10.0.0.2:8000", "http://10.0.0.3:8000"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def scripted(handler: Handler) -> Callable[[str], httpx.AsyncClient]:
    def connect(url: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=url, transport=httpx.MockTransport(lambda r: handler(url, r)))

    return connect


def pool_of(handler: Handler, urls: list[str] = URLS, **kwargs: Any) -> ReplicaPool:
    return ReplicaPool("generator", urls, scripted(handler), **kwargs)


def serving(seen: list[str]) -> Handler:
    def handler(url: str, request: httpx.Request) -> httpx.Response:
        seen.append(url)
        return httpx.Response(200, json={"ok": url})

    return handler


def test_every_call_of_one_key_goes_to_one_replica_and_keys_spread_over_all() -> None:
    seen: list[str] = []
    pool = pool_of(serving(seen))

    async def calls() -> None:
        for key in (f"request-{i}" for i in range(300)):
            first = await pool.request_json(key, "GET", "/x")
            assert all([await pool.request_json(key, "GET", "/x") == first for _ in range(3)])

    asyncio.run(calls())
    spread = Counter(seen)
    assert set(spread) == set(URLS) and min(spread.values()) > 0.2 * len(seen)


@given(keys=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=30), gone=st.sampled_from(URLS))
@hyp_settings(max_examples=examples(100))
def test_a_replica_leaving_moves_only_the_keys_it_served(keys: list[str], gone: str) -> None:
    endpoints = [Endpoint(u, httpx.AsyncClient()) for u in URLS]

    def owner(key: str, among: list[Endpoint]) -> str:
        return max(among, key=lambda e: e.weight(key)).url

    left = [e for e in endpoints if e.url != gone]
    for key in keys:
        before = owner(key, endpoints)
        assert owner(key, left) == before or before == gone


def test_a_replica_that_refuses_the_connection_is_passed_over_and_set_aside_for_a_while() -> None:
    seen: list[str] = []
    clock = Clock()
    down = URLS[0]

    def handler(url: str, request: httpx.Request) -> httpx.Response:
        seen.append(url)
        if url == down:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200, json={"ok": url})

    pool = pool_of(handler, down_for_s=5.0, clock=clock)
    key = next(k for k in (f"k{i}" for i in range(100)) if asyncio.run(pool.ranked(k))[0].url == down)

    async def call() -> Any:
        return await pool.request_json(key, "GET", "/x")

    assert asyncio.run(call())["ok"] != down
    assert seen.count(down) == 2  # the one retry on a fresh connection, then the next replica
    assert pool.failovers == 1 and not _state(pool, down).ready
    seen.clear()
    asyncio.run(call())
    assert down not in seen  # set aside: not even tried
    seen.clear()
    clock.now = 6.0
    asyncio.run(call())
    assert seen[0] == down  # its time is up: tried first again, as the key's own


def test_a_replica_that_took_the_call_is_never_sent_it_again_elsewhere() -> None:
    """A timeout after the request was sent: the replica may be sampling it. No failover."""
    seen: list[str] = []

    def handler(url: str, request: httpx.Request) -> httpx.Response:
        seen.append(url)
        raise httpx.ReadTimeout("no answer")

    with pytest.raises(EngineUnavailable) as caught:
        asyncio.run(pool_of(handler).request_json("k", "POST", "/v1/completions", {}))
    assert not isinstance(caught.value, EngineUnreachable) and len(set(seen)) == 1


def test_503_is_passed_over_and_every_replica_down_is_one_clear_error() -> None:
    def handler(url: str, request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="loading")

    with pytest.raises(EngineUnreachable, match="503"):
        asyncio.run(pool_of(handler).request_json("k", "GET", "/x"))


def events_of(url: str, count: int) -> bytes:
    chunks = [f"data: {json.dumps({'from': url, 'i': i})}\n\n" for i in range(count)]
    return "".join([*chunks, "data: [DONE]\n\n"]).encode()


class _Breaks(httpx.AsyncByteStream):
    """An event stream that breaks after `good` events, as a replica killed mid-stream does."""

    def __init__(self, url: str, good: int) -> None:
        self.url, self.good = url, good

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for i in range(self.good):
            yield f"data: {json.dumps({'from': self.url, 'i': i})}\n\n".encode()
        raise httpx.ReadError("the replica went away")


def test_a_stream_fails_over_before_its_first_event_and_never_after() -> None:
    def before_first(url: str, request: httpx.Request) -> httpx.Response:
        if url == URLS[0]:
            raise httpx.ConnectError("refused")
        return httpx.Response(200, content=events_of(url, 2))

    def after_first(url: str, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=_Breaks(url, 1))

    async def drain(pool: ReplicaPool, key: str, got: list[Any]) -> None:
        async for event in pool.stream_events(key, "/v1/completions", {}):
            got.append(event)

    pool = pool_of(before_first)
    key = next(k for k in (f"k{i}" for i in range(100)) if asyncio.run(pool.ranked(k))[0].url == URLS[0])
    got: list[Any] = []
    asyncio.run(drain(pool, key, got))
    assert [e["i"] for e in got] == [0, 1] and got[0]["from"] != URLS[0] and pool.failovers == 1

    broken = pool_of(after_first)
    got = []
    with pytest.raises(EngineUnavailable, match="lost") as caught:
        asyncio.run(drain(broken, key, got))
    assert not isinstance(caught.value, EngineUnreachable)
    assert len(got) == 1 and broken.failovers == 0  # one event seen: never sampled again elsewhere


def test_a_name_is_resolved_to_its_addresses_again_as_pods_come_and_go() -> None:
    clock = Clock()
    records = {"generator.bon.svc": ["10.1.0.1", "10.1.0.2"]}

    async def resolver(host: str, port: int) -> list[str]:
        if host not in records:
            raise OSError("no such name")
        return records[host]

    pool = pool_of(serving([]), ["http://generator.bon.svc:8000"], resolver=resolver, clock=clock, resolve_every_s=10)
    assert [e.url for e in asyncio.run(pool.ranked("k"))] != []
    assert {e.url for e in pool.endpoints} == {"http://10.1.0.1:8000", "http://10.1.0.2:8000"}
    records["generator.bon.svc"] = ["10.1.0.2", "10.1.0.3"]
    asyncio.run(pool.ranked("k"))
    assert {e.url for e in pool.endpoints} == {"http://10.1.0.1:8000", "http://10.1.0.2:8000"}  # not due yet
    gone = next(e for e in pool.endpoints if e.url == "http://10.1.0.1:8000")
    clock.now = 11
    asyncio.run(pool.ranked("k"))
    assert {e.url for e in pool.endpoints} == {"http://10.1.0.2:8000", "http://10.1.0.3:8000"}
    assert gone.client.is_closed  # no call was under way on it
    del records["generator.bon.svc"]
    clock.now = 22
    asyncio.run(pool.ranked("k"))  # the name stops resolving for a moment: what was known stays
    assert {e.url for e in pool.endpoints} == {"http://10.1.0.2:8000", "http://10.1.0.3:8000"}
    asyncio.run(pool.aclose())


def test_which_urls_are_expanded_into_addresses() -> None:
    assert expandable("http://generator:8000") and expandable("http://generator.bon.svc.cluster.local")
    assert not expandable("http://127.0.0.1:8000") and not expandable("http://[::1]:8000")
    assert not expandable("https://generator.example.com")  # a certificate names the host
    assert with_address("http://gen:8000/", "10.0.0.9") == "http://10.0.0.9:8000"
    assert with_address("http://gen:8000", "fd00::1") == "http://[fd00::1]:8000"


def test_ready_while_one_replica_answers_and_each_replicas_state_is_told() -> None:
    def handler(url: str, request: httpx.Request) -> httpx.Response:
        return httpx.Response(503 if url != URLS[1] else 200)

    pool = pool_of(handler)
    asyncio.run(pool.check("/health"))
    assert _state(pool, URLS[1]).ready and _state(pool, URLS[1]).detail is None
    assert not any(_state(pool, u).ready for u in (URLS[0], URLS[2])) and _state(pool, URLS[0]).detail
    none = pool_of(lambda url, r: httpx.Response(503))
    with pytest.raises(EngineUnavailable, match="no replica answers"):
        asyncio.run(none.check("/health"))


COMPLETION = {"choices": [{"index": 0, "text": "1+2=3\nA:3", "finish_reason": "stop", "token_ids": [5] * 9}]}


def test_a_requests_chains_and_scores_all_go_to_the_replica_its_id_picks_with_its_session_header() -> None:
    seen: list[tuple[str, str, str | None]] = []

    def handler(url: str, request: httpx.Request) -> httpx.Response:
        seen.append((url, request.url.path, request.headers.get(SESSION_HEADER)))
        if request.url.path == "/score":
            return httpx.Response(200, json={"model": "prm", "scores": [[0.9, 0.8]], "tokens_scored": 9})
        body = "".join(f"data: {json.dumps(COMPLETION)}\n\n" for _ in range(1)) + "data: [DONE]\n\n"
        return httpx.Response(200, content=body.encode())

    generator = RemoteGenerator(pool_of(handler), TOKENIZER, "gen")
    scorer = RemoteStepScorer(ReplicaPool("reward", URLS, scripted(handler)), "process")

    async def one_request(request_id: str) -> None:
        gen, prm = generator.pinned(request_id), scorer.pinned(request_id)
        sampler = gen.sampler(SamplingRequest("Q:1+2\n", 4, 1.0, 32, seed=1), request_id)
        sampler.launch(4)
        async for _ in sampler:
            pass
        await prm.score("1+2", [["1+2=3", "A:3"]], f"{request_id}-s1")

    for rid in ("a", "b", "c", "d", "e", "f"):
        seen.clear()
        asyncio.run(one_request(rid))
        chains = [s for s in seen if s[1] == "/v1/completions"]
        assert len(chains) == 4 and len({s[0] for s in chains}) == 1 and {s[2] for s in chains} == {rid}
        assert len({s[0] for s in seen if s[1] == "/score"}) == 1


def test_the_settings_take_one_url_several_or_a_json_list() -> None:
    assert Settings(generator_url="").generator_url == ()
    one = Settings(generator_url="http://gen:8000")
    assert [str(u) for u in one.generator_url] == ["http://gen:8000/"]
    several = Settings(reward_url="http://a:8001, http://b:8001")
    assert [str(u) for u in several.reward_url] == ["http://a:8001/", "http://b:8001/"]
    listed = Settings(reward_url='["http://a:8001", "http://b:8001"]')
    assert len(listed.reward_url) == 2


def _state(pool: ReplicaPool, url: str) -> ReplicaState:
    return next(s for s in pool.states() if s.url == url)


def test_metrics_tell_each_replicas_calls_failures_and_state_and_each_pools_failovers() -> None:
    down = URLS[2]

    def handler(url: str, request: httpx.Request) -> httpx.Response:
        if url == down:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(200, json={})

    pool = pool_of(handler)
    key = next(k for k in (f"k{i}" for i in range(100)) if asyncio.run(pool.ranked(k))[0].url == down)
    asyncio.run(pool.request_json(key, "GET", "/x"))
    registry = CollectorRegistry()
    registry.register(ReplicaCollector(lambda: {"generator": pool}))

    def value(name: str, **labels: str) -> float | None:
        return registry.get_sample_value(name, {"pool": "generator", **labels})

    assert value("bon_replica_failovers_total") == 1
    assert value("bon_replica_up", endpoint=down) == 0 and value("bon_replica_errors_total", endpoint=down) == 1
    served = [u for u in URLS if value("bon_replica_requests_total", endpoint=u) == 1 and u != down]
    assert len(served) == 1 and value("bon_replica_up", endpoint=served[0]) == 1
    assert value("bon_replica_errors_total", endpoint=served[0]) == 0


def test_a_replica_gone_from_dns_is_closed_only_once_its_streams_are_over() -> None:
    clock = Clock()
    records = {"generator.bon.svc": ["10.1.0.1"]}

    async def resolver(host: str, port: int) -> list[str]:
        return records[host]

    def handler(url: str, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=events_of(url, 3))

    async def scenario() -> tuple[list[Any], bool, bool]:
        pool = pool_of(handler, ["http://generator.bon.svc:8000"], resolver=resolver, clock=clock)
        stream = pool.stream_events("k", "/v1/completions", {})
        got = [await anext(stream)]  # a stream under way on the only replica
        gone = pool.endpoints[0]
        records["generator.bon.svc"] = ["10.1.0.2"]  # its pod leaves, another comes
        clock.now = 11
        await pool.ranked("other")
        closed_mid_stream = gone.client.is_closed
        got += [event async for event in stream]
        clock.now = 22
        await pool.ranked("other")
        closed_after = gone.client.is_closed
        await pool.aclose()
        return got, closed_mid_stream, closed_after

    got, closed_mid_stream, closed_after = asyncio.run(scenario())
    assert [e["i"] for e in got] == [0, 1, 2] and {e["from"] for e in got} == {"http://10.1.0.1:8000"}
    assert not closed_mid_stream and closed_after
