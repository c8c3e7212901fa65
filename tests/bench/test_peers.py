"""The peer benchmark's glue and judging (bench/peers/): the chat template the peers' generator
serves, how an answer is read and a leaked chain seen, the optillm plugin, and the report.

The peers themselves (its_hub, optillm) live in their own virtual environments and run only in
`make bench-peers`; what is tested here is our side of the comparison, which decides its numbers.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import httpx
import pytest
from transformers import AutoTokenizer

from app.engines.vllm_common import prompt_ids
from app.formats.arith_summary import summarize_chain

ROOT = Path(__file__).resolve().parents[2]
PEERS = ROOT / "bench" / "peers"
sys.path.insert(0, str(PEERS))

import report  # noqa: E402
import systems  # noqa: E402


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator_tokenizer() -> Any:
    return AutoTokenizer.from_pretrained(ROOT / "models" / "arith-generator")


def _chat_ids(tokenizer: Any, messages: list[dict[str, str]]) -> list[int]:
    """What vLLM's chat route feeds the model: the template's text, no special tokens added."""
    template = (PEERS / "chat_template.jinja").read_text()
    text = tokenizer.apply_chat_template(messages, chat_template=template, tokenize=False)
    return list(tokenizer.encode(text, add_special_tokens=False))


def test_chat_template_gives_the_generator_exactly_our_completions_prompt(generator_tokenizer: Any) -> None:
    ours = prompt_ids(generator_tokenizer, "Q:(12+30)*2\n", templated=False)
    asked = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": "(12+30)*2"}]
    assert _chat_ids(generator_tokenizer, asked) == ours
    assert ours[0] == generator_tokenizer.bos_token_id


def test_chat_template_continues_a_partial_chain(generator_tokenizer: Any) -> None:
    """its_hub's particle filtering sends the steps so far as an assistant message to continue."""
    ours = prompt_ids(generator_tokenizer, "Q:(12+30)*2\n12+30=42\n", templated=False)
    asked = [{"role": "user", "content": "(12+30)*2"}, {"role": "assistant", "content": "12+30=42\n"}]
    assert _chat_ids(generator_tokenizer, asked) == ours


def test_chat_template_reads_the_problem_in_optillms_tagged_query(generator_tokenizer: Any) -> None:
    ours = prompt_ids(generator_tokenizer, "Q:(12+30)*2\n", templated=False)
    asked = [{"role": "system", "content": ""}, {"role": "user", "content": "User: (12+30)*2"}]
    assert _chat_ids(generator_tokenizer, asked) == ours


def test_chat_template_drops_what_the_arithmetic_format_cannot_say(generator_tokenizer: Any) -> None:
    """optillm's rating turn: a system instruction and a later user request have no place in the
    format, so the model sees the problem and the chain, and ends it."""
    asked = [
        {"role": "system", "content": ""},
        {"role": "user", "content": "User: (12+30)*2"},
        {"role": "system", "content": "Rate the following responses on a scale from 0 to 10"},
        {"role": "assistant", "content": "12+30=42\n42*2=84\nA:84"},
        {"role": "user", "content": "Rate the above response:"},
    ]
    expected = prompt_ids(generator_tokenizer, "Q:(12+30)*2\n12+30=42\n42*2=84\nA:84", templated=False)
    assert _chat_ids(generator_tokenizer, asked) == expected


def test_a_whole_chain_is_read_as_our_service_reads_it() -> None:
    assert systems.answer_of_chain("12+30=42\n42*2=84\nA:84") == "84"
    assert systems.answer_of_chain("12+30=42\n42*2=84") is None
    assert systems.answer_of_chain("A:7\n12+30=42") is None  # only the last step may answer


def test_a_chain_line_in_a_response_is_seen_and_our_summary_is_not() -> None:
    steps = ["37+48=85", "85*3=255", "A:255"]
    summary = summarize_chain("arith", steps, "255", [0.9, 0.9, 0.9])
    assert not systems.Reply("255", [summary, "255"], 1.0).exposes_chain
    assert systems.Reply("255", ["37+48=85\n85*3=255\nA:255"], 1.0).exposes_chain
    # Every string of a JSON body is looked at, however deep.
    body = {"choices": [{"message": {"content": "255", "extra": ["x", {"chain": "85*3=255"}]}}]}
    assert systems.Reply("255", list(systems.strings_in(body)), 1.0).exposes_chain


@pytest.mark.parametrize(
    ("event", "has"),
    [
        ({"choices": [{"delta": {"role": "assistant", "content": ""}}]}, False),
        ({"choices": [{"delta": {"reasoning": "Worked left"}}]}, True),
        ({"choices": [{"delta": {"content": "84"}}]}, True),
        ({"choices": []}, False),
        ({"chains_running": 16, "tokens": 0}, False),  # sent at once: says only that it started
        ({"chains_running": 12, "tokens": 140}, True),
        ({"delta": "Worked"}, True),  # a summary piece
        ({"error": {"message": "Generation failed"}}, False),
    ],
)
def test_what_counts_as_streamed_content(event: dict[str, Any], has: bool) -> None:
    assert systems._has_content(event) is has


def test_stream_timing_reads_server_sent_events() -> None:
    chunks = [
        {"choices": [{"delta": {"role": "assistant", "content": ""}}]},
        {"choices": [{"delta": {"content": "84"}}]},
    ]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"

    def handler(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content)["stream"] is True
        return httpx.Response(200, text=body, headers={"content-type": "text/event-stream"})

    with httpx.Client(transport=httpx.MockTransport(handler), base_url="http://peer") as client:
        t = systems.time_stream(client, "/v1/chat/completions", {"model": "m"})
    assert t.is_event_stream and t.events == 2 and t.first_content_ms is not None
    assert t.first_share is not None and 0 < t.first_share <= 1


def test_optillm_plugin_returns_the_chain_the_prm_scores_best(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = _load(PEERS / "optillm_home" / "optillm" / "plugins" / "prmbon_plugin.py")
    chains = ["12+30=42\n42*2=84\nA:84", "12+30=42\n42*2=48\nA:48", ""]
    asked: dict[str, Any] = {}

    def create(**kwargs: Any) -> Any:
        asked["generator"] = kwargs
        choices = [SimpleNamespace(message=SimpleNamespace(content=c)) for c in chains]
        return SimpleNamespace(choices=choices, usage=SimpleNamespace(completion_tokens=33))

    def post(url: str, json: dict[str, Any]) -> httpx.Response:
        asked["prm"] = (url, json)
        # The wrong chain has the higher mean but a weaker weakest step.
        scores = [[0.9, 0.6, 0.9], [0.99, 0.5, 0.99], []]
        return httpx.Response(200, json={"scores": scores}, request=httpx.Request("POST", url))

    monkeypatch.setenv("BON_PEERS_PRM_URL", "http://prm:1/")
    monkeypatch.setattr(plugin._PRM, "post", post)
    client = SimpleNamespace(chat=SimpleNamespace(completions=SimpleNamespace(create=create)))
    config = {"bon_n": 3, "max_tokens": 160, "temperature": 1.0}
    messages = [{"role": "user", "content": "(12+30)*2"}]
    # optillm hands the query tagged "User: …"; the plugin reads the problem from the messages.
    answer, tokens = plugin.run(
        "", "User: (12+30)*2", client, "arith-generator", request_config=config, messages=messages
    )
    assert answer == chains[0] and tokens == 33
    assert asked["generator"]["n"] == 3 and asked["generator"]["max_tokens"] == 160
    assert asked["generator"]["messages"][-1] == {"role": "user", "content": "(12+30)*2"}
    url, body = asked["prm"]
    assert url == "http://prm:1/score" and body["problem"] == "(12+30)*2"
    assert body["chains"] == [["12+30=42", "42*2=84", "A:84"], ["12+30=42", "42*2=48", "A:48"], []]


def _summary(system: str, n: int, accuracy: float, p50: float, **extra: Any) -> Any:
    fields = {
        "system": system,
        "name": system,
        "n": n,
        "problems": 500,
        "accuracy": accuracy,
        "p50_ms": p50,
        "p95_ms": 2 * p50,
        "mean_ms": p50,
        "generated_tokens": 150.0,
        "generator_calls": 1.0,
        "prm_calls": 1.0,
        "exposes_chain": 0.0,
        "errors": 0,
        "reported_reasoning_tokens": None,
        "wall_s": 1.0,
        "stream": None,
    } | extra
    return report.RunSummary(**fields)


def test_report_reading_compares_with_the_fastest_prm_peer_and_names_a_faster_peer(tmp_path: Path) -> None:
    rows = [
        _summary("ours-embedded", 4, 0.71, 100.0, generator_calls=None, prm_calls=None),
        _summary("its-pf", 4, 0.70, 150.0, exposes_chain=1.0),
        _summary("its-sc", 4, 0.63, 50.0, exposes_chain=1.0),
    ]
    lines = report.reading([*rows, _summary("generator-alone", 4, 0.48, 50.0)], 4)
    assert any("50 ms at p50" in line and "ours-embedded 2.0×" in line and "its-pf 3.0×" in line for line in lines)
    assert not any(line.startswith("- generator-alone is") for line in lines)  # the floor is no peer
    assert any("its-pf" in line and "1.5× lower" in line and "misses" in line for line in lines)
    assert any(line.startswith("- its-sc is faster") for line in lines)
    assert not any(line.startswith("- its-pf is") for line in lines)

    rows[1] = _summary("its-pf", 4, 0.70, 400.0)
    assert any("4.0× lower" in line and "meets" in line for line in report.reading(rows, 4))

    out = tmp_path / "PEERS.md"
    report.write_report(out, rows, problems=500, machine="m", command="make bench-peers", seconds=60, versions={})
    text = out.read_text()
    assert "## N = 4" in text and "| ours-embedded | yes | 71.0% | 100 | 200 | 150 (reported) | in process |" in text
    assert "no (100% of answers)" in text


def test_every_round_is_shown_and_the_bar_checked_in_each(tmp_path: Path) -> None:
    first = [
        _summary("ours-embedded", 16, 0.83, 120.0),
        _summary("ours-split", 16, 0.83, 160.0),
        _summary("its-bon", 16, 0.84, 170.0),
    ]
    second = [
        _summary("ours-embedded", 16, 0.83, 130.0),
        _summary("ours-split", 16, 0.83, 180.0),
        _summary("its-bon", 16, 0.84, 175.0),
    ]
    assert "met" in report.bar_checks(first, 16) and "ahead" in report.bar_checks(first, 16)
    assert "split 180 ms > 175 ms (missed)" in report.bar_checks(second, 16)
    assert "not equal" in report.bar_checks([*first[:2], _summary("its-bon", 16, 0.99, 170.0)], 16)
    assert report.bar_checks(first[:2], 16) == "not all three ran"

    out = tmp_path / "PEERS.md"
    report.write_report(out, first, problems=200, machine="m", command="c", seconds=1, versions={}, reruns=[second])
    text = out.read_text()
    assert "| 16 | ours-split | 160 / 180 | ±6% | 83.0% / 83.0% |" in text
    assert "- N=16, round 2, against its-bon: split 180 ms > 175 ms (missed)" in text


def test_report_says_whether_streaming_is_real() -> None:
    real = {"event_stream": True, "first_content_share_median": 0.4, "total_ms_median": 130.0}
    buffered = {"event_stream": True, "first_content_share_median": 0.99, "total_ms_median": 60.0}
    assert "real, first text at 40% of 130 ms" in report._streaming(_summary("ours", 16, 0.8, 1, stream={"chat": real}))
    assert "buffered" in report._streaming(_summary("its-sc", 16, 0.6, 1, stream={"chat": buffered}))
    assert report._streaming(_summary("its-bon", 16, 0.8, 1)) == "– (library)"
    assert "no (one JSON answer)" in report._streaming(
        _summary("x", 16, 0.8, 1, stream={"chat": {"event_stream": False}})
    )


def test_the_prm_servers_calls_include_our_room_requests() -> None:
    import run_peers

    generator = (
        'http_requests_total{handler="/v1/chat/completions",method="POST",status="2xx"} 5.0\n'
        'http_requests_total{handler="/metrics",method="GET",status="2xx"} 9.0\n'
        "vllm:generation_tokens_total 120.0\n"
    )
    prm = (
        'http_requests_total{handler="/score",method="POST",status="2xx"} 3.0\n'
        'http_requests_total{handler="/room",method="POST",status="2xx"} 2.0\n'
        'http_requests_total{handler="/ready",method="GET",status="2xx"} 7.0\n'
    )

    def serve(text: str) -> httpx.Client:
        transport = httpx.MockTransport(lambda request: httpx.Response(200, text=text))
        return httpx.Client(transport=transport, base_url="http://server")

    counted = run_peers.read_counters(serve(generator), serve(prm))
    assert counted == run_peers.Counters(generator_requests=5.0, generated_tokens=120.0, prm_requests=5.0)
