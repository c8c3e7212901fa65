"""A few training steps of each model: the recipe runs and its losses fall.

Reward-model data here is the checker's labels on reference chains and corrupted copies of them;
the real recipe uses the generator's own sampled chains (that needs a vLLM engine).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import torch

from app.formats.resolve import FORMAT_FILE
from app.formats.spec import FormatFile, load_format
from lab.task import arith
from lab.training.generator import train_generator
from lab.training.reward import train_reward_model
from lab.training.samples import LabelledChain, label


@pytest.fixture(scope="module")
def tiny_generator(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(2)
    out = tmp_path_factory.mktemp("gen")
    result = train_generator(out, steps=40, seed=0, batch_size=16, hidden=64, layers=2)
    assert result.mean_loss(first=5) > 1.2 * result.mean_loss(last=5), result.losses
    return out


def labelled_chains(count: int) -> list[LabelledChain]:
    rng = random.Random(0)
    chains = []
    for p in arith.problems("train", count, seed=5):
        steps = p.reference_steps()
        if rng.random() < 0.5:
            i = rng.randrange(len(p.ops))
            lhs, result = steps[i].split("=")
            steps[i] = f"{lhs}={int(result) + rng.randint(1, 9)}"
        chains.append(label(p, "\n".join(steps)))
    return chains


def test_generator_loss_falls_and_it_is_saved_with_its_format(tiny_generator: Path) -> None:
    assert load_format(tiny_generator / FORMAT_FILE) == FormatFile(preset="arith")
    assert (tiny_generator / "tokenizer.json").exists() and (tiny_generator / "model.safetensors").exists()


@pytest.mark.parametrize("kind", ["prm", "orm"])
def test_reward_model_loss_falls(tiny_generator: Path, tmp_path: Path, kind: str) -> None:
    chains = labelled_chains(200)
    assert any(not all(c.step_right) for c in chains) and any(all(c.step_right) for c in chains)
    result = train_reward_model(tiny_generator, chains, tmp_path, kind, [(40, 3e-3)], batch_size=16)  # type: ignore[arg-type]
    assert result.mean_loss(first=5) > result.mean_loss(last=5), result.losses
    assert load_format(tmp_path / FORMAT_FILE) == FormatFile(preset="arith")
