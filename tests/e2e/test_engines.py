"""The shipped models on the real vLLM engines: loaded once per session, returning true numbers."""

from __future__ import annotations

import math
import random

import pytest
import torch
from transformers import AutoTokenizer, LlamaForCausalLM

from app.config import SHIPPED_MODELS
from app.engines.protocols import SamplingRequest
from app.formats.arith import written_out
from app.formats.resolve import load_preset
from lab.task import arith
from tests.conftest import LiveServer

pytestmark = pytest.mark.e2e

PROBLEM = arith.Problem(37, (("+", 48), ("*", 3), ("-", 12)))
RIGHT = PROBLEM.reference_steps()
WRONG = ["37+48=85", "85*3=245", "245-12=233", "A:233"]


def reference_scores(kind: str, chains: list[list[str]], problem: arith.Problem = PROBLEM) -> list[list[float]]:
    """P(good) at each step tag, computed by transformers directly from the checkpoint (which reads
    every step written out in full, as the preset's `full_steps` says)."""
    model_dir = SHIPPED_MODELS / f"arith-{kind}"
    d = load_preset("arith").scorer
    assert d is not None and d.good_token and d.bad_token
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = LlamaForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
    good, bad, tag = (tok.convert_tokens_to_ids(t) for t in (d.good_token, d.bad_token, d.tag_token))
    out = []
    for steps in chains:
        text = f"Q:{problem.text}\n" + "".join(f"{s}{d.step_tag}\n" for s in written_out(steps))
        ids = torch.tensor([tok(text)["input_ids"]])
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0]
        at_tags = logits[ids[0] == tag][:, [good, bad]]
        out.append(torch.softmax(at_tags, -1)[:, 0].tolist())
    return out


@pytest.mark.parametrize("kind", ["prm", "orm"])
def test_vllm_step_scores_equal_the_transformers_reference(live_server: LiveServer, kind: str) -> None:
    engines = live_server.app.state.api.engine_loader.value
    scorer = engines.scorer if kind == "prm" else engines.outcome_scorer
    got = live_server.call(scorer.score(PROBLEM.text, [RIGHT, WRONG], f"test-ref-{kind}")).per_chain
    want = reference_scores(kind, [RIGHT, WRONG])
    assert [len(g) for g in got] == [4, 4]
    for g, w in zip(got, want, strict=True):
        # Compared as log-odds: CPU kernels move a logit by about 0.01 (0.003 of probability near
        # 0.5, almost nothing near 0 or 1); the wrong pooling set-up is off by whole units.
        assert [log_odds(p) for p in g] == pytest.approx([log_odds(p) for p in w], abs=0.05)


def log_odds(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)  # a float32 softmax can round to exactly 0 or 1
    return math.log(p / (1 - p))


def test_the_prm_scores_corrupted_chains_below_reference_chains(live_server: LiveServer) -> None:
    """Statistically, over many problems: models/EVAL.md measures how well, this checks the sign."""
    scorer = live_server.app.state.api.engine_loader.value.scorer
    rng = random.Random(0)
    right, wrong = [], []
    for i, p in enumerate(arith.problems("test", 40, seed=77)):
        steps = p.reference_steps()
        bad = list(steps)
        k = rng.randrange(len(p.ops))
        lhs, result = bad[k].split("=")
        bad[k] = f"{lhs}={int(result) + rng.choice([-10, 10, 100])}"
        scores = live_server.call(scorer.score(p.text, [steps, bad], f"test-prm-{i}")).per_chain
        right.append(min(scores[0]))
        wrong.append(min(scores[1]))
    assert sum(right) / len(right) > sum(wrong) / len(wrong)


def test_the_generator_samples_n_chains_in_one_request(live_server: LiveServer) -> None:
    gen = live_server.app.state.api.engine_loader.value.generator
    prompt = "Q:" + PROBLEM.text + "\n"
    out = live_server.call(gen.generate(SamplingRequest(prompt, 8, 1.0, 160, seed=1), "test-gen"))
    assert len(out.chains) == 8 and out.prompt_tokens == gen.count_tokens(prompt)
    assert all(c.tokens > 0 and c.text for c in out.chains)
    greedy = live_server.call(gen.generate(SamplingRequest(prompt, 1, 0.0, 160), "test-greedy"))
    assert greedy.chains[0].finish_reason == "stop"


def test_a_growing_chain_is_read_once_through_the_prefix_cache(live_server: LiveServer) -> None:
    """The live pipeline reads a chain's settled steps, then the chain again when it has grown: the
    second read computes only the tokens past the engine's cached blocks, and the earlier steps keep
    the scores they had; a third read computes nothing. Scores stay the transformers reference."""
    scorer = live_server.app.state.api.engine_loader.value.scorer
    problem = arith.Problem(91, (("+", 7), ("-", 45), ("*", 2), ("+", 13), ("-", 30)))
    steps = problem.reference_steps()
    tag = load_preset("arith").scorer.step_tag  # type: ignore[union-attr]
    whole = len(
        AutoTokenizer.from_pretrained(str(SHIPPED_MODELS / "arith-prm"))(
            f"Q:{problem.text}\n" + "".join(f"{s}{tag}\n" for s in written_out(steps))
        )["input_ids"]
    )

    def read(chain: list[str], name: str) -> tuple[list[float], int]:
        """The scores, and the tokens the engine computed for them."""
        scored = live_server.call(scorer.score(problem.text, [chain], f"test-growing-{name}"))
        assert 0 <= scored.tokens_cached <= scored.tokens_scored
        return scored.per_chain[0], scored.tokens_scored - scored.tokens_cached

    early, _ = read(steps[:3], "early")
    late, computed = read(steps, "late")
    again, computed_again = read(steps, "again")
    assert late[:3] == early and again == late
    assert 0 < computed < whole and computed_again == 0
    want = reference_scores("prm", [steps], problem)[0]
    assert [log_odds(p) for p in late] == pytest.approx([log_odds(p) for p in want], abs=0.05)

    # A scorer that forgot the scores while the engine still holds the prefix reads the chain whole.
    scorer._memo = type(scorer._memo)(capacity=16)
    forgot, computed_whole = read(steps, "forgot")
    assert computed_whole == whole and [log_odds(p) for p in forgot] == pytest.approx(
        [log_odds(p) for p in want], abs=0.05
    )
