"""One plain torch training loop shared by the generator, the PRM and the ORM."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from tqdm import tqdm

Batch = dict[str, torch.Tensor]


@dataclass
class TrainResult:
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def mean_loss(self, first: int | None = None, last: int | None = None) -> float:
        window = self.losses[:first] if first else self.losses[-(last or 1) :]
        return sum(window) / len(window)


def train(
    model: torch.nn.Module,
    next_batch: Callable[[int], Batch],
    loss_fn: Callable[[torch.nn.Module, Batch], torch.Tensor],
    steps: int,
    peak_lr: float,
    desc: str,
    seed: int,
    stop_at: int | None = None,
    on_step: Callable[[int], None] | None = None,
    device: str = "cpu",
) -> TrainResult:
    """AdamW with a one-cycle schedule over `steps`; `next_batch(step)` makes or draws each batch.

    `stop_at` ends training early on the same schedule (the generator is deliberately stopped
    before it masters the task); `on_step(k)` runs after step k (snapshots). `device` is where the
    model and each batch live during training ("cuda" where a GPU is lent); the model comes back
    on the CPU, where it is saved and served from."""
    torch.manual_seed(seed)
    model.to(device)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=peak_lr, weight_decay=0.01, betas=(0.9, 0.98))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=peak_lr, total_steps=max(steps, 2))
    result = TrainResult()
    start = time.perf_counter()
    bar = tqdm(range(stop_at or steps), desc=desc, unit="step", mininterval=2.0)
    for step in bar:
        batch = {key: value.to(device) for key, value in next_batch(step).items()}
        loss = loss_fn(model, batch)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        value = loss.item()
        if not math.isfinite(value):
            raise FloatingPointError(f"{desc}: loss became {value} at step {step}")
        result.losses.append(value)
        if step % 20 == 0:
            bar.set_postfix(loss=f"{result.mean_loss(last=20):.4f}")
        if on_step is not None:
            on_step(step + 1)
    result.seconds = time.perf_counter() - start
    model.to("cpu")
    model.eval()
    return result
