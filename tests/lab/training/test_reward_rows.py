"""What the reward models are trained on: the rows built from a chain, target by target."""

from __future__ import annotations

import random

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

from lab.task import arith
from lab.task.tokenizer import STEP_TAG, build_tokenizer
from lab.training.reward import BUCKET_POOL, IGNORE, Row, bucketed_batches, contrastive_pair, grow, labelled_row


@pytest.fixture(scope="module")
def tok() -> PreTrainedTokenizerFast:
    return build_tokenizer()


PROBLEM = arith.parse_problem("((53*9)-40)-61")
assert PROBLEM is not None


def test_token_targets_turn_bad_at_the_first_wrong_digit_and_stay_bad(tok: PreTrainedTokenizerFast) -> None:
    # 53*9 = 477; the slip is in the tens digit, which is where the generator mostly errs.
    steps = ["53*9=487", "487-40=447", "447-61=386", "A:386"]
    row = labelled_row(tok, PROBLEM, steps, "prm")
    tokens = tok.convert_ids_to_tokens(row.ids)
    chain_start = tokens.index("\n") + 1
    labelled = [(t, y) for t, y in zip(tokens, row.token_targets, strict=True) if y != IGNORE]
    assert all(y == IGNORE for y in row.token_targets[:chain_start])
    text = "".join(t for t, _ in labelled)
    first_bad = text.index("53*9=48") + len("53*9=4")
    assert [y for _, y in labelled] == [1] * first_bad + [0] * (len(labelled) - first_bad)
    # The tags carry the checker's step labels and no token-level target.
    tags = [i for i, t in enumerate(tokens) if t == STEP_TAG]
    assert [row.tag_targets[i] for i in tags] == [0, 0, 0, 0]
    assert all(row.token_targets[i] == IGNORE for i in tags)
    assert all(y == IGNORE for y in row.lm_targets), "a wrong chain is never a language-modelling target"


def test_a_right_chain_is_good_everywhere_and_teaches_its_next_tokens(tok: PreTrainedTokenizerFast) -> None:
    row = labelled_row(tok, PROBLEM, PROBLEM.reference_steps(), "prm", lm=True)
    assert {y for y in row.tag_targets if y != IGNORE} == {1}
    assert {y for y in row.token_targets if y != IGNORE} == {1}
    tag_id = tok.convert_tokens_to_ids(STEP_TAG)
    for i, target in enumerate(row.lm_targets):
        if target != IGNORE:
            assert target == row.ids[i + 1] and tag_id not in (row.ids[i], target)


def test_the_orm_sees_only_the_outcome(tok: PreTrainedTokenizerFast) -> None:
    right_start = ["53*9=477", "477-40=437", "437-61=377", "A:377"]  # slips in the last step
    row = labelled_row(tok, PROBLEM, right_start, "orm")
    assert [y for y in row.tag_targets if y != IGNORE] == [0, 0, 0, 0]
    assert all(y == IGNORE for y in row.token_targets)


def test_a_contrastive_pair_shares_its_prompt_and_differs_in_one_step(tok: PreTrainedTokenizerFast) -> None:
    right, wrong = contrastive_pair(tok, random.Random(3), "prm")
    prompt_end = right.ids.index(tok.convert_tokens_to_ids("\n")) + 1
    assert right.ids[:prompt_end] == wrong.ids[:prompt_end]
    assert 0 in wrong.tag_targets and 0 not in right.tag_targets


def test_grown_layers_start_as_the_identity() -> None:
    torch.manual_seed(0)
    cfg = LlamaConfig(
        vocab_size=32,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=64,
    )
    model = LlamaForCausalLM(cfg).eval()
    ids = torch.randint(3, 32, (2, 12))
    with torch.no_grad():
        before = model(input_ids=ids).logits
        grow(model, 2)
        after = model(input_ids=ids).logits
    assert len(model.model.layers) == 4 and model.config.num_hidden_layers == 4
    assert torch.allclose(before, after)


def test_length_buckets_serve_every_drawn_row_once_in_narrower_batches(tok: PreTrainedTokenizerFast) -> None:
    rng = random.Random(3)
    drawn: list[list[Row]] = []

    def draw_rows() -> list[Row]:
        problems = arith.problems("train", 8, seed=rng.randrange(10**6))
        rows = [labelled_row(tok, p, p.reference_steps(), "prm") for p in problems]
        drawn.append(rows)
        return rows

    next_batch = bucketed_batches(draw_rows, random.Random(0), tok.pad_token_id)
    batches = [next_batch(step) for step in range(2 * BUCKET_POOL)]
    assert len(drawn) == 2 * BUCKET_POOL, "a pool is drawn only when the last one is used up"
    assert all(b["input_ids"].shape[0] == 8 for b in batches)
    served = sorted(
        tuple(ids[mask].tolist())
        for b in batches
        for ids, mask in zip(b["input_ids"], b["attention_mask"], strict=True)
    )
    assert served == sorted(tuple(r.ids) for rows in drawn for r in rows)
    grouped = sum(b["input_ids"].numel() for b in batches)
    at_random = sum(len(rows) * max(len(r.ids) for r in rows) for rows in drawn)
    assert grouped < at_random
