"""Fine-tune the generator into a Math-Shepherd-format PRM (step labels) or ORM (outcome labels).

The model reads ``prompt + step + TAG + separator ...``; at each tag its logits over the two label
tokens give ``P(good) = softmax([good, bad])[0]``, exactly what vLLM's token classifier
(``classifier_from_token=[good, bad]``) computes when serving it.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Literal

import torch
import torch.nn.functional as F
from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

from app.core.steps import format_scorer_input
from app.descriptor import ModelDescriptor
from app.task import arith
from app.task.tokenizer import BAD_TOKEN, GOOD_TOKEN, STEP_TAG
from app.training.generator import MAX_MODEL_LEN, pad
from app.training.loop import Batch, TrainResult, train
from app.training.samples import LabelledChain

RewardKind = Literal["prm", "orm"]


def encode_examples(
    tok: PreTrainedTokenizerFast, chains: list[LabelledChain], kind: RewardKind
) -> list[tuple[list[int], list[int]]]:
    """(input ids, per-token target) pairs: target 1 = good, 0 = bad at tags, -100 elsewhere."""
    tag_id = tok.convert_tokens_to_ids(STEP_TAG)
    out = []
    for c in chains:
        if not c.steps:
            continue
        text = format_scorer_input(
            arith.PROMPT_TEMPLATE.format(problem=c.problem), c.steps, STEP_TAG, arith.STEP_SEPARATOR
        )
        ids = tok(text)["input_ids"][:MAX_MODEL_LEN]
        labels = c.step_right if kind == "prm" else [c.correct] * len(c.steps)
        it = iter(labels)
        targets = [int(next(it)) if t == tag_id else -100 for t in ids]
        out.append((ids, targets))
    return out


def label_loss(good_id: int, bad_id: int):  # type: ignore[no-untyped-def]
    def loss(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        pair = logits[..., [bad_id, good_id]]  # class 1 = good
        return F.cross_entropy(pair.reshape(-1, 2), batch["targets"].reshape(-1), ignore_index=-100)

    return loss


def train_reward_model(
    generator_dir: Path,
    chains: list[LabelledChain],
    out_dir: Path,
    kind: RewardKind,
    steps: int,
    seed: int = 0,
    batch_size: int = 64,
    peak_lr: float = 1e-3,
) -> TrainResult:
    tok = PreTrainedTokenizerFast.from_pretrained(str(generator_dir))
    model = LlamaForCausalLM.from_pretrained(str(generator_dir), dtype=torch.float32)
    examples = encode_examples(tok, chains, kind)
    rng = random.Random(seed)

    def next_batch(_: int) -> Batch:
        picked = rng.sample(examples, batch_size)
        ids = pad([e[0] for e in picked], tok.pad_token_id)
        return {
            "input_ids": ids,
            "attention_mask": ids != tok.pad_token_id,
            "targets": pad([e[1] for e in picked], -100),
        }

    good_id, bad_id = tok.convert_tokens_to_ids(GOOD_TOKEN), tok.convert_tokens_to_ids(BAD_TOKEN)
    result = train(model, next_batch, label_loss(good_id, bad_id), steps, peak_lr, kind, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tok.save_pretrained(out_dir)
    ModelDescriptor(
        kind=kind,
        task="arith",
        prompt_template=arith.PROMPT_TEMPLATE,
        step_separator=arith.STEP_SEPARATOR,
        answer_prefix=arith.ANSWER_PREFIX,
        max_model_len=MAX_MODEL_LEN,
        scorer_format="math_shepherd",
        step_tag=STEP_TAG,
        good_token=GOOD_TOKEN,
        bad_token=BAD_TOKEN,
    ).save(out_dir)
    return result
