"""The reward worker's HTTP contract: what the API's remote scorer sends to `POST /score` and what the
worker answers. Both sides import it, so the two cannot drift apart."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

RewardKind = Literal["process", "outcome"]


class ScoreRequest(BaseModel):
    problem: str = Field(min_length=1, description="The problem text (the worker wraps it in the model's prompt).")
    chains: list[list[str]] = Field(
        max_length=1024, description="Each chain as its list of steps; the worker adds the step tags."
    )
    reward: RewardKind = Field(default="process", description="Score with the PRM, or with the outcome model.")

    model_config = {
        "json_schema_extra": {
            "examples": [{"problem": "(12+30)*2", "chains": [["12+30=42", "42*2=84", "A:84"]], "reward": "process"}]
        }
    }


class ScoreResponse(BaseModel):
    model: str = Field(description="The reward model that scored.")
    scores: list[list[float]] = Field(description="P(step is right) for every step of every chain, in order.")
    tokens_scored: int = Field(ge=0, description="Tokens the reward model read.")
    tokens_cached: int = Field(
        default=0, ge=0, description="Of those, the tokens it did not compute again (read before, cached)."
    )
    unread: list[int] = Field(
        default_factory=list, description="Chains too long for the reward model to read: not scored (empty lists)."
    )


class RoomRequest(BaseModel):
    problem: str = Field(min_length=1, description="The problem text.")
    reward: RewardKind = Field(default="process", description="Which reward model.")


class RoomResponse(BaseModel):
    tokens: int = Field(description="Tokens of a chain the reward model can read after this problem's prompt.")


class WorkerReady(BaseModel):
    status: Literal["loading", "ready", "failed"] = Field(description="ready when /score can answer.")
    models: dict[str, str] = Field(default_factory=dict, description="Reward kind → model name, once loaded.")
    detail: str | None = Field(default=None, description="Why it is not ready.")


class CheckItem(BaseModel):
    previous: list[str] = Field(default_factory=list, max_length=1024, description="The chain's steps before it.")
    step: str = Field(description="The step to check.")


class CheckRequest(BaseModel):
    problem: str = Field(min_length=1, description="The problem text.")
    checker: str = Field(description="A heavy step checker's name (`latex`).")
    items: list[CheckItem] = Field(max_length=4096, description="The steps to check, each with those before it.")


class StepVerdict(BaseModel):
    verdict: Literal["pass", "fail", "none"]
    checker: str | None = None
    claim: str | None = Field(default=None, description="The claim as read (hidden-chain text: the API keeps it).")
    value: str | None = Field(default=None, description="What the checker computed for it.")
    elapsed_ms: float = Field(default=0.0, ge=0)


class CheckResponse(BaseModel):
    checks: list[StepVerdict] = Field(description="One verdict per item, in order.")


class ToolRequest(BaseModel):
    tool: Literal["python"] = Field(
        default="python", description="The tool to run (the worker runs code; the calculator runs anywhere)."
    )
    code: str = Field(max_length=65536, description="What a chain gave the tool: its code block.")


class ToolResponse(BaseModel):
    output: str = Field(description="What the program wrote (stdout and stderr together), or why it was stopped.")
    outcome: Literal["ok", "error", "limit", "refused"]
    cpu_ms: float = Field(ge=0)
    exit_status: int | None = None
