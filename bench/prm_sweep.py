"""Sweep one PRM training variant: train on 90% of the sampled problems, and after every cycle
score the other 10% with the same metrics as `bon eval` (step AUC, first-error F1, best-of-16
selection), plus a probe of single-digit slips by digit position.

It reads the sampled chains of `bon train` (runs/samples.jsonl) and the shipped generator, and
trains through `train_reward_model`, so a variant is a recipe. Scoring is a direct forward pass
(no vLLM), which lets the sweep run on a GPU machine with torch alone; bench/prm_sweep_device.sh
runs ten variants side by side there. Results: bench/PRM_SWEEP.md.

    python bench/prm_sweep.py NAME --config '{"cycles": [[6000, 1e-3]]}' --device cuda

With `--held FILE` it trains on all of `--samples` (or their first `--problems N` problems) and
scores on FILE instead, e.g. validation-split problems sampled apart, with `--greedy` giving
their greedy answers for pass@1 (bench/prm_data_device.sh).

Config keys (defaults are the recipe's): cycles [[steps, peak_lr], ...], seed, extra (layers),
tw (token weight), lmw (LM weight), pf (pair fraction), bs (batch), slips ("lead", the recipe's
`near_miss`, or "uniform", `any_near_miss`).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

import torch
from transformers import LlamaForCausalLM, PreTrainedTokenizerFast

import lab.training.reward as reward
from lab.evaluation.metrics import ProblemSamples, best_of_n, first_error_f1, step_auc
from lab.task import arith
from lab.task.tokenizer import BAD_TOKEN, GOOD_TOKEN, STEP_TAG
from lab.training.generator import pad
from lab.training.recipe import Recipe
from lab.training.samples import LabelledChain, load_chains

GENERATOR = Path("models/arith-generator")
PROBE_PROBLEMS = 600


def held_out_split(chains: list[LabelledChain]) -> tuple[list[LabelledChain], list[LabelledChain]]:
    """Every tenth problem (sorted by text) is held out with all its samples."""
    held = set(sorted({c.problem for c in chains})[::10])
    return [c for c in chains if c.problem not in held], [c for c in chains if c.problem in held]


def slipped_first_step(p: arith.Problem, position: int, rng: random.Random) -> list[str] | None:
    """The reference chain with the first result's digit at `position` (0 = units) changed,
    continued correctly from the wrong value; None if the result is too short."""
    digits = list(str(abs(p.values[0])))
    i = len(digits) - 1 - position
    if i < 0:
        return None
    digits[i] = rng.choice([d for d in "0123456789" if d != digits[i] and (i > 0 or d != "0" or len(digits) == 1)])
    return p.steps_with_result(0, int("".join(digits)) * (-1 if p.values[0] < 0 else 1))


class Scorer:
    def __init__(self, tok: PreTrainedTokenizerFast, device: str) -> None:
        self.tok, self.device = tok, device
        self.good, self.bad = tok.convert_tokens_to_ids(GOOD_TOKEN), tok.convert_tokens_to_ids(BAD_TOKEN)
        self.tag = tok.convert_tokens_to_ids(STEP_TAG)

    @torch.no_grad()
    def tag_scores(self, model: LlamaForCausalLM, rows: list[reward.Row]) -> list[list[float]]:
        """P(good) at every step tag of every row, as the served model is read."""
        out = []
        for start in range(0, len(rows), 256):
            chunk = rows[start : start + 256]
            ids = pad([r.ids for r in chunk], self.tok.pad_token_id).to(self.device)
            logits = model(input_ids=ids, attention_mask=ids != self.tok.pad_token_id).logits
            good = torch.softmax(logits[..., [self.good, self.bad]].float(), -1)[..., 0].cpu()
            out += [[good[j, t].item() for t, x in enumerate(r.ids) if x == self.tag] for j, r in enumerate(chunk)]
        return out


def first_problems(chains: list[LabelledChain], count: int | None) -> list[LabelledChain]:
    """The chains of the first `count` distinct problems in file order (all when None): the
    sampler draws problems in a seeded order, so this is what sampling `count` problems gives."""
    if count is None:
        return chains
    keep: set[str] = set()
    for c in chains:
        if len(keep) == count and c.problem not in keep:
            break
        keep.add(c.problem)
    return [c for c in chains if c.problem in keep]


def evaluate(
    model: LlamaForCausalLM, scorer: Scorer, held: list[LabelledChain], greedy: dict[str, bool]
) -> dict[str, Any]:
    model.to(scorer.device).eval()
    usable = [c for c in held if c.steps and arith.parse_problem(c.problem)]
    scores = scorer.tag_scores(model, reward.encode_examples(scorer.tok, usable, "prm"))
    by_problem: dict[str, list[int]] = {}
    for i, c in enumerate(usable):
        by_problem.setdefault(c.problem, []).append(i)
    samples = []
    for text, idx in by_problem.items():
        problem = arith.parse_problem(text)
        assert problem is not None
        checks = [arith.check_chain(problem, usable[i].steps) for i in idx]
        samples.append(
            ProblemSamples(
                answer=str(problem.answer),
                greedy_correct=greedy.get(text, False),  # from --greedy; else not measured
                answers=[usable[i].steps[-1].removeprefix(arith.ANSWER_PREFIX) for i in idx],
                correct=[c.correct for c in checks],
                step_scores=[scores[i] for i in idx],
                outcome_scores=[scores[i][-1] for i in idx],
                step_right=[usable[i].step_right for i in idx],
                first_error=[c.first_error for c in checks],
            )
        )
    n = min(len(s.answers) for s in samples)
    at_n = best_of_n(samples, n)
    # Probe: does a slip in the units, tens or hundreds digit of the first step get caught?
    rng = random.Random(123)
    probe: dict[str, float] = {}
    probe_problems = arith.problems("test", PROBE_PROBLEMS, seed=5)
    for position in range(3):
        rows = []
        for p in probe_problems:
            steps = slipped_first_step(p, position, rng)
            if steps is not None:
                rows.append(reward.labelled_row(scorer.tok, p, steps, "prm"))
        caught = [s[0] < 0.5 for s in scorer.tag_scores(model, rows)]
        probe[f"caught_digit{position}"] = round(sum(caught) / len(caught), 3)
    refs = [reward.labelled_row(scorer.tok, p, p.reference_steps(), "prm") for p in probe_problems]
    probe["reference_passed"] = round(sum(s[0] >= 0.5 for s in scorer.tag_scores(model, refs)) / len(refs), 3)
    model.train()
    return {
        "problems": len(samples),
        "n": n,
        "step_auc": round(step_auc(samples), 4),
        "first_error_f1": round(first_error_f1(samples)["f1"], 1),
        **{k: round(at_n[k], 1) for k in ("oracle", "majority_vote", "prm_max_min", "prm_weighted_vote_min")},
        "greedy": round(100 * sum(s.greedy_correct for s in samples) / len(samples), 1) if greedy else None,
        "prm_weighted_vote_prod": round(at_n["prm_weighted_vote_prod"], 1),
        **probe,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("name")
    ap.add_argument("--config", default="{}", help="JSON; see the module docstring")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--out", type=Path, default=Path("runs/prm_sweep"), help="results (NAME.jsonl) and the model")
    ap.add_argument("--samples", type=Path, default=Path("runs/samples.jsonl"))
    ap.add_argument("--load", type=Path, help="score this saved reward model instead of training one")
    ap.add_argument("--problems", type=int, help="train on the first N sampled problems only")
    ap.add_argument(
        "--held",
        type=Path,
        help="score on these sampled chains (e.g. validation-split problems) and train on all of --samples, "
        "instead of holding out every tenth sampled problem",
    )
    ap.add_argument("--greedy", type=Path, help="JSON {problem: greedy answer right} for --held, for pass@1")
    ap.add_argument("--kind", choices=["prm", "orm"], default="prm", help="orm: train and save only")
    args = ap.parse_args()
    cfg = json.loads(args.config)
    if cfg.get("slips", "lead") == "uniform":
        arith.near_miss = arith.any_near_miss  # counterfactual_steps looks it up at call time
    args.out.mkdir(parents=True, exist_ok=True)
    chains = first_problems(load_chains(args.samples), args.problems)
    train_chains, held = (chains, load_chains(args.held)) if args.held else held_out_split(chains)
    greedy = json.loads(args.greedy.read_text()) if args.greedy else {}
    scorer = Scorer(PreTrainedTokenizerFast.from_pretrained(str(GENERATOR)), args.device)
    start, cycle = time.perf_counter(), 0
    if args.load:
        record = {"name": args.name, "model": str(args.load)}
        print(json.dumps(record | evaluate(LlamaForCausalLM.from_pretrained(str(args.load)), scorer, held, greedy)))
        return

    # Score after every cycle: wrap the training loop that train_reward_model calls once per cycle.
    train_one_cycle = reward.train

    def train_then_score(model: Any, *a: Any, **kw: Any) -> Any:
        nonlocal cycle
        result = train_one_cycle(model, *a, **kw)
        cycle += 1
        # The losses and time go with the model, for its card if it is shipped.
        (args.out / f"{args.name}.train{cycle}.json").write_text(
            json.dumps({"losses": result.losses, "seconds": result.seconds})
        )
        record = {"name": args.name, "cycle": cycle, "seconds": round(time.perf_counter() - start)}
        if args.kind == "prm":
            record |= evaluate(model, scorer, held, greedy)
        record |= {"config": cfg, "problems": len({c.problem for c in train_chains})}
        print(json.dumps(record), flush=True)
        with (args.out / f"{args.name}.jsonl").open("a") as f:
            f.write(json.dumps(record) + "\n")
        return result

    reward.train = train_then_score
    recipe = Recipe()  # the defaults of every config key the config leaves out
    reward.train_reward_model(
        GENERATOR,
        train_chains,
        args.out / args.name,
        args.kind,
        [tuple(c) for c in cfg.get("cycles", recipe.cycles(args.kind))],
        seed=cfg.get("seed", recipe.seed),
        batch_size=cfg.get("bs", recipe.batch_size),
        pair_fraction=cfg.get("pf", recipe.reward_pair_fraction),
        lm_weight=cfg.get("lmw", 1.0),  # not a recipe field: train_reward_model's default
        token_weight=cfg.get("tw", recipe.reward_token_weight),
        extra_layers=cfg.get("extra", recipe.reward_extra_layers),
        device=args.device,
    )


if __name__ == "__main__":
    main()
