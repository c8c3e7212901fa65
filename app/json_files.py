"""A JSON file the service reads at start-up as a pydantic model (a model's format file, a reward
model's calibration): what is wrong with one is a `ConfigurationError` naming the file and each
field at fault."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from app.errors import ConfigurationError

M = TypeVar("M", bound=BaseModel)


def parse_json_file(model: type[M], text: str, source: str, error: type[ConfigurationError]) -> M:
    """A file's text as `model`; `source` names the file in the error."""
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'the file'}: {e['msg']}" for e in exc.errors(include_url=False)
        )
        raise error(f"{source}: {problems}") from None


def read_json_file(model: type[M], path: Path, what: str, error: type[ConfigurationError]) -> M:
    """The file at `path` (a `what`, for the error) as `model`."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise error(f"{path}: cannot read the {what}: {exc.strerror}") from None
    return parse_json_file(model, text, str(path), error)
