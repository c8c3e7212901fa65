"""The small descriptor each model directory carries: its step format and label tokens.

The pipeline reads the step separator, the PRM's step tag and its good/bad label tokens from
here, so no token id or magic string is hard-coded anywhere in the service.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

DESCRIPTOR_FILE = "bon_model.json"

ModelKind = Literal["generator", "prm", "orm"]
ScorerFormat = Literal["math_shepherd", "qwen2_prm"]


class ModelDescriptor(BaseModel):
    kind: ModelKind
    task: str = Field(description="The task the model was trained on, e.g. 'arith'.")
    prompt_template: str = Field(description="Wraps a problem into the model's prompt; has '{problem}'.")
    step_separator: str = Field(default="\n", description="Separates steps in a chain.")
    answer_prefix: str | None = Field(default=None, description="Marks the final answer line.")
    max_model_len: int = Field(gt=0, description="Context length the model was trained for.")
    # Reward models only.
    scorer_format: ScorerFormat | None = None
    step_tag: str | None = Field(default=None, description="Token written after each step for scoring.")
    good_token: str | None = Field(default=None, description="Label token meaning 'this step is right'.")
    bad_token: str | None = Field(default=None, description="Label token meaning 'this step is wrong'.")

    def save(self, model_dir: Path) -> None:
        (model_dir / DESCRIPTOR_FILE).write_text(self.model_dump_json(indent=2) + "\n")

    @classmethod
    def load(cls, model_dir: Path | str) -> ModelDescriptor:
        path = Path(model_dir) / DESCRIPTOR_FILE
        return cls.model_validate_json(path.read_text())
