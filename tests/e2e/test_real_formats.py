"""Models with real formats on the real vLLM engines, none with a bon_model.json (their formats
are detected): a Math-Shepherd PRM on the Mistral v1 tokenizer and a Qwen2.5-Math-PRM-style one
on a ChatML tokenizer, scored as their model cards compute; and two generators, one prompted
through a chat template and one that thinks in `<think>` tags, answering /solve in both
deployments, with truncated chains kept out of the vote."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer

from app.config import Settings
from app.main import create_app
from app.model_ref import ModelRef
from app.worker.app import create_worker_app
from app.worker.config import WorkerSettings
from lab.background_server import BackgroundServer, start_background_server
from lab.local_services import LocalService, generator_service
from tests.conftest import free_port
from tests.e2e.fixture_models import markov_generator, mistral_prm, qwen2_prm
from tests.real_tokenizers import CHATML_TEMPLATE, THINKING_TEMPLATE, chatml_bpe, mistral_v1

pytestmark = pytest.mark.e2e

QUESTION = "Janet\u2019s ducks lay 16 eggs per day. She eats three for breakfast. How many are left?"
STEPS = [
    "Step 1: Janet's ducks lay 16 eggs per day.",
    "Step 2: She eats three for breakfast, so she has 16 - 3 = 13 eggs left.",
    "Step 3: The answer is: 13",
]
# The generators' path: two steps of a dozen words, then a coin: close the thinking and answer 7
# (likelier, and what greedy decoding takes), or write "x" until the token budget runs out (a
# truncated chain). Used as its own summarizer the chat generator writes the path again: an echo
# of the chain, which the leak guard must stop.
SENTENCE = [
    "So",
    " first",
    " add",
    " three",
    " and",
    " four",
    "\n\n",
    " which",
    " gives",
    " seven",
    " in",
    " all",
    " it",
]
WORDS = [*SENTENCE, "x", "Thus", " \\boxed{7}"]
PATH = {
    "Ċ": ["So"],  # the chat template's last prompt token (a newline)
    **{word: [following] for word, following in itertools.pairwise(SENTENCE)},
    " it": ["</think>", "x"],
    "x": ["x"],
    "</think>": ["Thus"],
    "Thus": [" \\boxed{7}"],
    " \\boxed{7}": ["<|im_end|>"],
}


@dataclass
class Fixtures:
    chat_generator: Path  # detected as qwen2.5-math
    thinking_generator: Path  # detected as r1
    qwen_prm: Path
    qwen_body: torch.nn.Module
    qwen_head: torch.nn.Module
    shepherd_prm: Path
    shepherd_model: torch.nn.Module


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> Fixtures:
    root = tmp_path_factory.mktemp("real-formats")
    chat_tok = chatml_bpe(root / "chat-tokenizer", CHATML_TEMPLATE, words=WORDS)
    think_tok = chatml_bpe(root / "think-tokenizer", THINKING_TEMPLATE, words=WORDS)
    qwen, body, head = qwen2_prm(root / "tiny-qwen-prm", chat_tok)
    shepherd, model = mistral_prm(root / "tiny-shepherd-prm", mistral_v1(root / "mistral-tokenizer"))
    return Fixtures(
        markov_generator(root / "tiny-qwen-math", chat_tok, "Ċ", PATH),
        markov_generator(root / "tiny-r1", think_tok, "Ċ", PATH),
        qwen,
        body,
        head,
        shepherd,
        model,
    )


@pytest.fixture(scope="module")
def qwen_worker(models: Fixtures) -> Iterator[BackgroundServer]:
    settings = WorkerSettings(model=str(models.qwen_prm), outcome_model="none", port=free_port())
    server = start_background_server(create_worker_app(settings), settings.port)
    try:
        yield server
    finally:
        server.stop()


def test_a_math_shepherd_prm_scores_as_its_model_card_computes(models: Fixtures) -> None:
    tok = AutoTokenizer.from_pretrained(str(models.shepherd_prm))
    # The card's own computation: candidates and tag from the tokenizer, input f"{question} {output}".
    candidates = tok.encode("+ -")[1:]
    step_tag_id = tok.encode("ки")[-1]
    output = "\n".join(f"{step} ки" for step in STEPS)
    ids = torch.tensor([tok.encode(f"{QUESTION} {output}")])
    with torch.no_grad():
        logits = models.shepherd_model(ids).logits[:, :, candidates]
    want = logits.softmax(dim=-1)[:, :, 0][ids == step_tag_id].tolist()

    settings = WorkerSettings(model=str(models.shepherd_prm), outcome_model="none", port=free_port())
    server = start_background_server(create_worker_app(settings), settings.port)
    try:
        with server.client() as c:
            got = c.post("/score", json={"problem": QUESTION, "chains": [STEPS]}).json()["scores"][0]
    finally:
        server.stop()
    assert len(got) == len(STEPS) == len(want) and (candidates, step_tag_id) == ([648, 387], 12902)
    assert got == pytest.approx(want, abs=1e-3)
    assert max(abs(s - 0.5) for s in want) > 0.05  # far from a coin, or the comparison would prove little


def test_a_qwen_math_prm_scores_as_its_model_card_computes(models: Fixtures, qwen_worker: BackgroundServer) -> None:
    tok = AutoTokenizer.from_pretrained(str(models.qwen_prm))
    messages = [
        {"role": "system", "content": "Please reason step by step, and put your final answer within \\boxed{}."},
        {"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "<extra_0>".join(STEPS) + "<extra_0>"},
    ]
    ids = tok.encode(
        tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=False), return_tensors="pt"
    )
    with torch.no_grad():
        probs = torch.softmax(models.qwen_head(models.qwen_body(input_ids=ids).last_hidden_state[0]), dim=-1)
    want = probs[ids[0] == tok.convert_tokens_to_ids("<extra_0>"), 1].tolist()
    with qwen_worker.client() as c:
        ready = c.get("/ready").json()
        got = c.post("/score", json={"problem": QUESTION, "chains": [STEPS, []]}).json()["scores"]
    assert ready["models"] == {"process": "tiny-qwen-prm"}
    assert got[1] == [] and got[0] == pytest.approx(want, abs=2e-3) and len(want) == len(STEPS)
    assert any(abs(s - 0.5) > 0.1 for s in got[0])


@pytest.fixture(
    scope="module", params=["tiny-qwen-math/embedded", "tiny-r1/embedded", "tiny-qwen-math/split", "tiny-r1/split"]
)
def deployed(
    request: pytest.FixtureRequest,
    models: Fixtures,
    qwen_worker: BackgroundServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[BackgroundServer]:
    name, deployment = request.param.split("/")
    generator = models.chat_generator if name == "tiny-qwen-math" else models.thinking_generator
    settings = Settings(
        port=free_port(), generator_model=str(generator), prm_model=str(models.qwen_prm), orm_model="none"
    )
    served: LocalService | None = None
    if deployment == "split":
        served = generator_service(ModelRef(str(generator)), free_port(), tmp_path_factory.mktemp("logs")).start()
        settings = settings.model_copy(update={"generator_url": (served.url,), "reward_url": (qwen_worker.url,)})
    api = start_background_server(create_app(settings), settings.port)
    try:
        yield api
    finally:
        api.stop()
        if served is not None:
            served.stop()


def test_chat_and_thinking_generators_answer_and_truncated_chains_do_not_vote(deployed: BackgroundServer) -> None:
    with deployed.client() as c:
        r = c.post("/solve", json={"problem": "What is 3+4?", "n": 16, "seed": 11, "max_tokens": 48})
        model_id = c.get("/v1/models").json()["data"][0]["id"]
        chat = c.post(
            "/v1/chat/completions",
            json={
                "model": model_id,
                "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "3+4?"}],
                "reasoning_effort": "medium",
                "max_completion_tokens": 16 * 48,
                "seed": 5,
            },
        )
        metrics = c.get("/metrics").text
    assert r.status_code == 200, r.text
    data = r.json()
    counts = data["chain_counts"]
    # A 0.7 / 0.3 coin over 16 chains: both sides show (odds against: 1 in 300), and the seed fixes which.
    assert counts["voted"] > 0 and counts["truncated"] > 0 and counts["unscored"] == 0
    assert counts["voted"] + counts["truncated"] == counts["sampled"] == 16
    assert data["answer"] == "7" and data["clusters"] == [
        {"answer": "7", "count": counts["voted"], "weight": pytest.approx(data["clusters"][0]["weight"]), "vetoed": 0}
    ]
    assert [c["name"] for c in data["checks"]["checkers"]] == ["numeric", "latex"]  # what the presets declare
    # The winner's two steps got one score each: one tag a step.
    assert len(data["step_scores"]) == 2 and all(0 <= s <= 1 and not math.isnan(s) for s in data["step_scores"])
    assert model_id in ("tiny-qwen-math", "tiny-r1")
    summary = data["summary"]
    if model_id == "tiny-qwen-math":  # its summary echoed the chain: the guard put a structured one out
        assert summary.startswith("Reasoned in 2 steps and reached the answer 7") and "gives seven" not in summary
        assert 'bon_summaries_total{source="fallback_leak"}' in metrics
    else:  # a thinking summarizer: what it shows after thinking
        assert summary == "Thus \\boxed{7}" and 'bon_summaries_total{source="model"}' in metrics
    assert chat.status_code == 200 and chat.json()["choices"][0]["message"]["content"] == "7", chat.text
