"""The python tool's round trip on the real engine: a tiny Qwen2 generator under the
`qwen2.5-math-tir` preset, whose chains are forced through a code block (each token is followed
by the next of a fixed path: `fixture_models.markov_generator`), pauses at ```output; the code
runs in the bubblewrap sandbox, its output is appended, and the chain decodes on to its answer.
Code that misbehaves gives the chain an error output and the service answers on."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from app.config import Settings
from app.main import create_app
from lab.background_server import BackgroundServer, start_background_server
from tests.conftest import E2E_ADMIN_KEY, free_port
from tests.e2e.fixture_models import markov_generator, qwen2_prm
from tests.e2e.test_step_search import record
from tests.real_tokenizers import CHATML_TEMPLATE, chatml_bpe

pytestmark = pytest.mark.e2e

# The code: a dozen tokens (one added word a line): the generator, which writes its own summary,
# may echo its path, and more than 12 tokens of a chain in a row is what the leak guard stops.
LINES = [f"{name} = {value}\n" for name, value in zip("abcdefghij", range(1, 11), strict=True)] + ["print(6 * 7)"]
CODE = "".join(LINES)
# Qwen2.5-Math's tool-integrated format: a ```python block, then ```output, which the tool fills.
PATH = {
    "Ċ": ["```python\n"],  # the chat template's last prompt token (a newline)
    "```python\n": [LINES[0]],
    **{line: [following] for line, following in itertools.pairwise(LINES)},
    LINES[-1]: ["\n```\n```output"],
    "```\n": [" \\boxed{42}"],  # the appended output's closing fence
    " \\boxed{42}": ["<|im_end|>"],
}
WORDS = ["```python\n", *LINES, "\n```\n```output", "```\n", " \\boxed{42}"]


@pytest.fixture(scope="module")
def tir_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundServer]:
    root = tmp_path_factory.mktemp("tir")
    tokenizer = chatml_bpe(root / "tokenizer", CHATML_TEMPLATE, words=WORDS)
    prm, _, _ = qwen2_prm(root / "tiny-qwen-prm", tokenizer)
    settings = Settings(
        port=free_port(),
        generator_model=str(markov_generator(root / "tiny-qwen-tir", tokenizer, "Ċ", PATH)),
        generator_format="qwen2.5-math-tir",
        prm_model=str(prm),
        orm_model="none",
        tools_allow_exec=True,
        sandbox={"timeout_s": 5},
        admin_keys=[E2E_ADMIN_KEY],
    )
    server = start_background_server(create_app(settings), settings.port)
    try:
        yield server
    finally:
        server.stop()


def test_a_chains_code_runs_in_the_sandbox_and_the_chain_reads_its_output(tir_service: BackgroundServer) -> None:
    body = {"problem": "What is 6 times 7?", "n": 4, "seed": 3, "max_tokens": 64, "tools": ["python"]}
    with tir_service.client() as c:
        r = c.post("/solve", json=body)
        off = c.post("/solve", json=body | {"tools": "none"})
        metrics = c.get("/metrics").text
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["answer"] == "42" and data["tools"]["ok"] == 4 and data["tools"]["chains_calling"] == 4
    assert "print(6 * 7)" not in r.text and "```output" not in r.text, data["summary"]
    assert off.json()["tools"] is None and off.json()["usage"]["tool_calls"] == 0
    assert 'bon_tool_calls_total{outcome="ok",tool="python"} 4.0' in metrics
    content = record(tir_service, data["request_id"])
    call = content["chains"][0]["tool_calls"][0]
    assert (call["tool"], call["code"], call["output"], call["exit_status"]) == ("python", CODE, "42\n", 0)
    assert call["cpu_ms"] > 0 and call["written"] == "\n42\n```\n"
    assert content["chains"][0]["text"] == f"```python\n{CODE}\n```\n```output\n42\n```\n \\boxed{{42}}"


def test_the_responses_api_code_interpreter_turns_the_sandbox_on(tir_service: BackgroundServer) -> None:
    with tir_service.client() as c:
        model = c.get("/v1/models").json()["data"][0]["id"]
        body = {"model": model, "input": "What is 6 times 7?", "tools": [{"type": "code_interpreter"}]}
        r = c.post("/v1/responses", json=body | {"reasoning": {"effort": "low"}, "max_output_tokens": 256})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["metadata"]["bon_tool_calls"] == "4" and data["metadata"]["bon_tool_calls_failed"] == "0"
    assert all(item["type"] in ("reasoning", "message") for item in data["output"])  # no code_interpreter_call
