"""The reward worker with a Qwen2.5-Math-PRM-style model (`Qwen2ForProcessRewardModel`, a
two-class head read at `<extra_0>` after each step): a tiny random checkpoint made here, its
scores checked against a plain torch forward of the same weights."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import torch
from safetensors.torch import save_file
from transformers import AutoTokenizer, Qwen2Config, Qwen2Model

from app.core.steps import format_scorer_input
from app.formats.resolve import FORMAT_FILE
from app.formats.spec import FormatFile, Prompt, ScorerFormat
from app.worker.app import create_worker_app
from app.worker.config import WorkerSettings
from lab.background_server import BackgroundServer, start_background_server
from lab.task import arith
from lab.task.tokenizer import build_tokenizer
from tests.conftest import free_port

pytestmark = pytest.mark.e2e

TAG = "<extra_0>"


@dataclass
class TinyQwen2Prm:
    path: Path
    body: Qwen2Model
    head: torch.nn.Sequential

    def reference(self, problem: str, steps: list[str]) -> list[float]:
        """P(step is right) at each tag, computed with transformers and torch only, reading the
        text with the checkpoint's tokenizer as loaded from disk (as vLLM and the worker do)."""
        tokenizer = AutoTokenizer.from_pretrained(str(self.path))
        text = format_scorer_input(arith.prompt(problem), steps, TAG, arith.STEP_SEPARATOR)
        ids = tokenizer(text, return_tensors="pt")["input_ids"]
        with torch.no_grad():
            probs = torch.softmax(self.head(self.body(input_ids=ids).last_hidden_state[0]), dim=-1)
        tag_id = tokenizer.convert_tokens_to_ids(TAG)
        return [float(probs[i, 1]) for i in (ids[0] == tag_id).nonzero().flatten().tolist()]


@pytest.fixture(scope="module")
def tiny_qwen2_prm(tmp_path_factory: pytest.TempPathFactory) -> TinyQwen2Prm:
    path = tmp_path_factory.mktemp("tiny-qwen2-prm")
    tok = build_tokenizer()
    tok.add_special_tokens({"additional_special_tokens": [TAG]})
    config = Qwen2Config(
        vocab_size=len(tok),
        hidden_size=64,  # head_dim 32: vLLM's CPU attention has no kernel for 16
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=256,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        tie_word_embeddings=False,
    )
    torch.manual_seed(0)
    body = Qwen2Model(config).eval()
    head = torch.nn.Sequential(torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 2)).eval()
    with torch.no_grad():  # big enough weights that the two classes' probabilities differ by step
        for p in head.parameters():
            p.mul_(8.0)
    tensors = {f"model.{k}": v.contiguous() for k, v in body.state_dict().items()}
    tensors |= {f"score.{k}": v.contiguous() for k, v in head.state_dict().items()}
    save_file(tensors, str(path / "model.safetensors"))
    raw = config.to_dict() | {
        "architectures": ["Qwen2ForProcessRewardModel"],
        "num_labels": 2,
        "alpha": 1.0,
        "dtype": "float32",  # without it vLLM's CPU backend would load the weights in bfloat16
    }
    (path / "config.json").write_text(json.dumps(raw, indent=2))
    tok.save_pretrained(path)
    fmt = ScorerFormat(
        head="two_class", prompt=Prompt(template="Q:{problem}\n"), step_tag=TAG, tag_token=TAG, step_joiner="\n"
    )
    (path / FORMAT_FILE).write_text(FormatFile(scorer=fmt).model_dump_json(indent=2))
    return TinyQwen2Prm(path, body, head)


@pytest.fixture(scope="module")
def qwen2_worker(tiny_qwen2_prm: TinyQwen2Prm) -> Iterator[BackgroundServer]:
    settings = WorkerSettings(model=str(tiny_qwen2_prm.path), outcome_model=None, port=free_port())
    server = start_background_server(create_worker_app(settings), settings.port)
    try:
        yield server
    finally:
        server.stop()


def test_the_worker_serves_a_qwen2_prm_with_the_right_label_column(
    qwen2_worker: BackgroundServer, tiny_qwen2_prm: TinyQwen2Prm
) -> None:
    problem = arith.problems("test", 1, seed=3)[0]
    right = problem.reference_steps()
    wrong = [*right[:-2], "1+1=3", right[-1]]
    with qwen2_worker.client() as c:
        ready = c.get("/ready").json()
        r = c.post("/score", json={"problem": problem.text, "chains": [right, wrong, []]})
    assert ready["models"] == {"process": tiny_qwen2_prm.path.name}
    assert r.status_code == 200, r.text
    scores = r.json()["scores"]
    assert scores[2] == []
    for steps, got in zip([right, wrong], scores[:2], strict=True):
        want = tiny_qwen2_prm.reference(problem.text, steps)
        assert len(got) == len(steps) == len(want)
        assert got == pytest.approx(want, abs=2e-3)
    # Far enough from 1/2 that the other label column would fail the comparison.
    assert any(abs(s - 0.5) > 0.1 for s in scores[0])


def test_a_worker_without_an_outcome_model_says_so(qwen2_worker: BackgroundServer) -> None:
    r = httpx.post(f"{qwen2_worker.url}/score", json={"problem": "1+1", "chains": [["1+1=2"]], "reward": "outcome"})
    assert r.status_code == 422 and "no outcome reward model" in r.json()["error"]["message"]
