"""Train the generator: a tiny Llama that writes chains one step per line."""

from __future__ import annotations

import random
from pathlib import Path

import torch
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from app.formats.resolve import FORMAT_FILE
from app.formats.spec import FormatFile
from lab.task import arith
from lab.task.tokenizer import build_tokenizer
from lab.training.loop import Batch, TrainResult, train

MAX_MODEL_LEN = 256


def model_config(tok: PreTrainedTokenizerFast, hidden: int, layers: int) -> LlamaConfig:
    return LlamaConfig(
        vocab_size=len(tok),
        hidden_size=hidden,
        intermediate_size=3 * hidden,
        num_hidden_layers=layers,
        num_attention_heads=hidden // 32,
        num_key_value_heads=hidden // 32,
        max_position_embeddings=MAX_MODEL_LEN,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        tie_word_embeddings=False,  # vLLM's token classifier reads lm_head rows for the labels
    )


def pad(rows: list[list[int]], value: int) -> torch.Tensor:
    width = max(map(len, rows))
    return torch.tensor([r + [value] * (width - len(r)) for r in rows])


def chain_batch(tok: PreTrainedTokenizerFast, rng: random.Random, size: int) -> Batch:
    """Fresh train-split problems with their reference chains; loss on the chain only."""
    ids: list[list[int]] = []
    labels: list[list[int]] = []
    while len(ids) < size:
        p = arith.random_problem_in("train", rng)
        prompt = tok(arith.prompt(p.text))["input_ids"]
        chain = tok(p.reference_chain(), add_special_tokens=False)["input_ids"] + [tok.eos_token_id]
        ids.append(prompt + chain)
        labels.append([-100] * len(prompt) + chain)
    input_ids = pad(ids, tok.pad_token_id)
    return {"input_ids": input_ids, "labels": pad(labels, -100), "attention_mask": input_ids != tok.pad_token_id}


def lm_loss(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
    return model(**batch).loss


def train_generator(
    out_dir: Path,
    steps: int,
    seed: int = 0,
    batch_size: int = 64,
    hidden: int = 128,
    layers: int = 4,
    peak_lr: float = 3e-3,
    stop_at: int | None = None,
    snapshots: tuple[int, ...] = (),
    device: str = "cpu",
) -> TrainResult:
    """Train on a one-cycle schedule of `steps`, stopping at `stop_at`; `snapshots` are extra
    step counts saved to ``out_dir/step-K`` (to choose how far to train)."""
    tok = build_tokenizer()
    torch.manual_seed(seed)
    model = LlamaForCausalLM(model_config(tok, hidden, layers))
    rng = random.Random(seed)

    def snapshot(k: int) -> None:
        if k in snapshots:
            save_generator(model, tok, out_dir / f"step-{k}")

    result = train(
        model,
        lambda _: chain_batch(tok, rng, batch_size),
        lm_loss,
        steps,
        peak_lr,
        "generator",
        seed,
        stop_at=stop_at,
        on_step=snapshot,
        device=device,
    )
    save_generator(model, tok, out_dir)
    return result


def save_generator(model: LlamaForCausalLM, tok: PreTrainedTokenizerFast, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tok.save_pretrained(out_dir)
    write_format(out_dir)


def write_format(model_dir: Path) -> None:
    """The model's bon_model.json: the `arith` preset, which the service reads it by."""
    (model_dir / FORMAT_FILE).write_text(FormatFile(preset="arith").model_dump_json(exclude_none=True, indent=2) + "\n")
