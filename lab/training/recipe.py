"""`bon train`: the recipe that reproduces the shipped models from fixed seeds.

1. the generator, on reference chains of fresh train-split problems;
2. its own sampled chains on other train problems, labelled step by step by the exact checker;
3. the PRM (step labels) and the ORM (outcome labels), both fine-tuned from the generator.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from lab.task import arith
from lab.training.generator import train_generator
from lab.training.loop import TrainResult
from lab.training.reward import RewardModelKind, train_reward_model
from lab.training.samples import LabelledChain, load_chains, sample_training_chains


@dataclass(frozen=True, slots=True)
class Recipe:
    models_dir: Path = Path("models")
    name: str = "arith"
    work_dir: Path = Path("runs")
    seed: int = 0
    # The generator trains on a one-cycle schedule of `generator_steps` but stops at
    # `generator_stop_at`, before it solves the task outright (1800 of 2000 steps: greedy 88%).
    # Its chains leave each step's left operand to the previous result, which takes longer to
    # learn than copying it did: 890 of 1000 steps gave fixed N=16 67% in range without tools (84%
    # before the notation changed); 1250 of 1400 gives greedy 76% and N=16 99%, above the 25–65%
    # greedy band the evaluation was designed for (a stop nearer 1100 is the next thing to try).
    generator_steps: int = 1400
    generator_stop_at: int | None = 1250
    # One-cycle schedules run back to back, (steps, peak LR) each; see `train_reward_model`. One
    # long cycle checked leading digits as well as two cycles of the same total length did, and
    # the number of steps mattered more than anything else (bench/PRM_SWEEP.md). On validation
    # problems, PRMs of 6000 steps closed 56-71% of the greedy-to-oracle gap (four runs), of 8000
    # steps 71-73% (three) and of 10000 steps 75-82% (four: three seeds on a GPU, and the shipped
    # CPU run). The ORM stays at 6000 steps, which keeps `make models` at about two hours; with
    # 6000 steps each (the evaluation before a33e3ea) the PRM max beat the ORM max by 17 points.
    prm_cycles: tuple[tuple[int, float], ...] = ((10000, 1e-3),)
    orm_cycles: tuple[tuple[int, float], ...] = ((6000, 1e-3),)
    # The reward models are the generator plus `reward_extra_layers` identity-initialised layers:
    # checking a digit against the one the generator would have written needs depth the
    # generator's own layers already spend on computing it.
    reward_extra_layers: int = 2
    reward_pair_fraction: float = 0.5
    reward_token_weight: float = 1.0
    sample_problems: int = 2000
    samples_per_problem: int = 16
    temperature: float = 1.0
    batch_size: int = 64
    # Where the training steps run: "cpu" (the default, 2 cores here) or "cuda" where a GPU is
    # lent. Sampling always runs on vLLM; the same recipe on another device gives models that
    # differ in the last bits, not in what they learned.
    device: str = "cpu"

    def model_dir(self, kind: str) -> Path:
        return self.models_dir / f"{self.name}-{kind}"

    def cycles(self, kind: RewardModelKind) -> tuple[tuple[int, float], ...]:
        return self.prm_cycles if kind == "prm" else self.orm_cycles


def _card(recipe: Recipe, kind: str, result: TrainResult, data: str, extra: Mapping[str, object]) -> str:
    metrics = {
        "first_20_steps_loss": round(result.mean_loss(first=20), 4),
        "last_50_steps_loss": round(result.mean_loss(last=50), 4),
        "train_seconds": round(result.seconds),
        **extra,
    }
    return f"""# {recipe.name}-{kind}

A tiny Llama ({_size(recipe.model_dir(kind))} parameters, float32, character tokenizer) for the
shipped arithmetic task of the best-of-N verification service. Made by `bon train` (`make models`)
from seed {recipe.seed} on {_where(recipe)}; see `models/EVAL.md` for what it achieves.

## Task

Fully parenthesised left-to-right expressions with {arith.MIN_OPS}–{arith.MAX_OPS} operations
(`+`/`-` with operands {arith.ADD_RANGE[0]}–{arith.ADD_RANGE[1]}, `*` with {arith.MUL_RANGE[0]}–{arith.MUL_RANGE[1]},
values up to {arith.MAX_VALUE}), e.g. `((37+48)*3)-12`. Prompt `Q:<problem>\\n`; a chain is one
step per line, the first with both operands (`37+48=85`), each later one starting with its operator
and going on from the previous result (`*3=255`), then a final line `A:<answer>`; a reward model
reads each step written out in full (`85*3=255`). The split of a problem is a hash of its
text (80% train, 10% validation, 10% test), so the splits are disjoint.

## Data and recipe

{data}

## Format

`bon_model.json` in this directory names the service's `arith` preset (app/formats/presets/arith.json):
the prompt, step separator and answer prefix; for reward models the step tag and the good/bad
label tokens.

## Metrics

```json
{json.dumps(metrics, indent=2)}
```
"""


def _size(model_dir: Path) -> str:
    from safetensors import safe_open

    with safe_open(str(model_dir / "model.safetensors"), "pt") as f:
        n = sum(f.get_tensor(k).numel() for k in f.keys())  # noqa: SIM118
    return f"{n / 1e6:.2f}M"


def _reward(recipe: Recipe, chains: list[LabelledChain], kind: RewardModelKind) -> None:
    result = train_reward_model(
        recipe.model_dir("generator"),
        chains,
        recipe.model_dir(kind),
        kind,
        recipe.cycles(kind),
        recipe.seed,
        recipe.batch_size,
        pair_fraction=recipe.reward_pair_fraction,
        token_weight=recipe.reward_token_weight,
        extra_layers=recipe.reward_extra_layers,
        device=recipe.device,
    )
    write_reward_card(recipe, chains, kind, result)


def write_reward_card(recipe: Recipe, chains: list[LabelledChain], kind: RewardModelKind, result: TrainResult) -> None:
    """The card of a reward model trained by `recipe` on `chains`. It is separate from training so
    that a model trained by the same recipe elsewhere (bench/prm_sweep.py on a lent GPU, as the
    shipped ORM was) gets the recipe's card; its first paragraph then says where it was trained."""
    steps = sum(len(c.steps) for c in chains)
    right = sum(sum(c.step_right) for c in chains)
    extra = {
        "chains": len(chains),
        "chains_correct": sum(c.correct for c in chains),
        "steps": steps,
        "steps_right": right,
    }
    card = _card(recipe, kind, result, reward_card_data(recipe, len(chains), kind), extra)
    (recipe.model_dir(kind) / "README.md").write_text(card)


def _where(recipe: Recipe) -> str:
    return f"{platform.machine()} CPUs" if recipe.device == "cpu" else f"`{recipe.device}`"


def reward_card_data(recipe: Recipe, n_chains: int, kind: RewardModelKind) -> str:
    """The "Data and recipe" section of a reward model's card."""
    label = (
        "each step labelled by the exact checker: good if right, bad if wrong or after an earlier error "
        "(the analogue of PRM800K's human step labels)"
        if kind == "prm"
        else "every step labelled with the chain's outcome only (is the final answer right), as an "
        "outcome reward model; its score is the one read at the last step tag"
    )
    return (
        f"Fine-tuned from `{recipe.name}-generator`, grown by {recipe.reward_extra_layers} identity-initialised "
        f"layers, for {' then '.join(f'{n} steps (peak LR {lr:g})' for n, lr in recipe.cycles(kind))} "
        f"(batch {recipe.batch_size}, AdamW, one-cycle LR schedule{'s' if len(recipe.cycles(kind)) > 1 else ''}; "
        "rows grouped by length into batches, which removes most of the padding) "
        f"on the generator's own {n_chains} sampled chains "
        f"({recipe.samples_per_problem} per problem at temperature {recipe.temperature}, on "
        f"{recipe.sample_problems} train problems): {label}. Input: each step followed by the tag "
        f"`#` and a newline; loss: cross-entropy over the label tokens `Y` (good) and `N` (bad) at each tag. "
        "Half of each batch is contrastive pairs on fresh train problems: the reference chain and the "
        "same chain with one step's result a near miss (one or two digits changed, mostly leading "
        "digits, where the generator's carries slip; or off by a power of ten) continued correctly from "
        "the wrong value, labelled by the same checker (by outcome only, for an ORM). A pair shares its "
        "prompt, so only the digits of one step tell the two apart; trained on its own samples alone, "
        "the model learned how hard a problem looks and never read the results (step AUC 0.84). The "
        "reference chains also carry an auxiliary language-modelling loss: a verifier has to compute "
        "better than the generator it checks, and the generator was stopped before it mastered the task."
        + (
            " The PRM also gets a token-level signal (same label tokens, weight "
            f"{recipe.reward_token_weight:g}) at every chain token: good while the chain so far is still a prefix "
            "of the one right chain. It makes the check local, a digit against the digit the model would have "
            "written, and most of the generator's slips are in a leading digit (a carry), not the last one."
            if kind == "prm"
            else ""
        )
    )


def run_recipe(recipe: Recipe, stages: set[str]) -> None:
    torch.set_num_threads(2)
    if "generator" in stages:
        result = train_generator(
            recipe.model_dir("generator"),
            recipe.generator_steps,
            recipe.seed,
            recipe.batch_size,
            stop_at=recipe.generator_stop_at,
            device=recipe.device,
        )
        data = (
            f"{recipe.generator_stop_at or recipe.generator_steps} steps of a {recipe.generator_steps}-step "
            f"one-cycle schedule (AdamW, LR peaking at 3e-3), batch {recipe.batch_size}; each batch is fresh "
            "train-split problems with their reference chains (loss on the chain only). Stopped early on "
            "purpose: trained further (1800 steps of a 2000-step schedule), its greedy accuracy (88%) leaves "
            "best-of-N little to show."
        )
        (recipe.model_dir("generator") / "README.md").write_text(_card(recipe, "generator", result, data, {}))
    samples_path = recipe.work_dir / "samples.jsonl"
    if "samples" in stages:
        sample_training_chains(
            recipe.model_dir("generator"),
            samples_path,
            recipe.sample_problems,
            recipe.samples_per_problem,
            recipe.temperature,
            recipe.seed + 1000,
        )
    if "prm" in stages or "orm" in stages:
        chains = load_chains(samples_path)
        for kind in ("prm", "orm"):
            if kind in stages:
                _reward(recipe, chains, kind)
    (recipe.models_dir / "recipe.json").write_text(
        json.dumps({k: str(v) for k, v in asdict(recipe).items()}, indent=2) + "\n"
    )
