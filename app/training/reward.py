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

from app.core.steps import format_scorer_input, without_step_tag
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
            arith.PROMPT_TEMPLATE.format(problem=c.problem),
            without_step_tag(c.steps, STEP_TAG),
            STEP_TAG,
            arith.STEP_SEPARATOR,
        )
        ids = tok(text)["input_ids"][:MAX_MODEL_LEN]
        labels = c.step_right if kind == "prm" else [c.correct] * len(c.steps)
        it = iter(labels)
        targets = [int(next(it)) if t == tag_id else -100 for t in ids]
        out.append((ids, targets))
    return out


def reference_example(tok: PreTrainedTokenizerFast, rng: random.Random) -> tuple[list[int], list[int]]:
    """A fresh train problem's reference chain in the scorer's layout, with next-token targets on
    the chain (not on the tags): the auxiliary language-modelling task that keeps teaching the
    reward model the arithmetic it has to check."""
    tag_id = tok.convert_tokens_to_ids(STEP_TAG)
    p = arith.random_problem_in("train", rng)
    prompt = arith.PROMPT_TEMPLATE.format(problem=p.text)
    ids = tok(format_scorer_input(prompt, p.reference_steps(), STEP_TAG, arith.STEP_SEPARATOR))["input_ids"]
    start = len(tok(prompt)["input_ids"]) - 1
    targets = [-100] * len(ids)
    for j in range(start, len(ids) - 1):
        if tag_id not in (ids[j], ids[j + 1]):
            targets[j] = ids[j + 1]
    return ids, targets


def reward_loss(good_id: int, bad_id: int, lm_weight: float):
    """Cross-entropy over the two label tokens at the tags, plus the auxiliary LM loss."""

    def loss(model: torch.nn.Module, batch: Batch) -> torch.Tensor:
        logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        pair = logits[..., [bad_id, good_id]]  # class 1 = good
        label = F.cross_entropy(pair.reshape(-1, 2), batch["targets"].reshape(-1), ignore_index=-100)
        if lm_weight == 0:
            return label
        lm = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch["lm_targets"].reshape(-1), ignore_index=-100)
        return label + lm_weight * lm

    return loss


def train_reward_model(
    generator_dir: Path,
    chains: list[LabelledChain],
    out_dir: Path,
    kind: RewardKind,
    steps: int,
    seed: int = 0,
    batch_size: int = 64,
    peak_lr: float = 2e-3,
    lm_fraction: float = 0.5,
    lm_weight: float = 1.0,
) -> TrainResult:
    """Fine-tune the generator on labelled chains; `lm_fraction` of each batch is reference
    chains for the auxiliary LM loss (a verifier must out-compute the generator it checks)."""
    tok = PreTrainedTokenizerFast.from_pretrained(str(generator_dir))
    model = LlamaForCausalLM.from_pretrained(str(generator_dir), dtype=torch.float32)
    examples = encode_examples(tok, chains, kind)
    rng = random.Random(seed)

    n_lm = round(batch_size * lm_fraction) if lm_weight else 0

    def next_batch(_: int) -> Batch:
        picked = rng.sample(examples, batch_size - n_lm)
        refs = [reference_example(tok, rng) for _ in range(n_lm)]
        rows = [e[0] for e in picked] + [r[0] for r in refs]
        ids = pad(rows, tok.pad_token_id)
        no_target = [[-100] * len(r) for r in rows]
        return {
            "input_ids": ids,
            "attention_mask": ids != tok.pad_token_id,
            "targets": pad([e[1] for e in picked] + no_target[len(picked) :], -100),
            "lm_targets": pad(no_target[: len(picked)] + [r[1] for r in refs], -100),
        }

    good_id, bad_id = tok.convert_tokens_to_ids(GOOD_TOKEN), tok.convert_tokens_to_ids(BAD_TOKEN)
    result = train(model, next_batch, reward_loss(good_id, bad_id, lm_weight), steps, peak_lr, kind, seed)
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
