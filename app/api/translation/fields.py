"""A wire model filled from one of the pipeline's records, field by field under the same names."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)


def copy_fields(model: type[M], source: object, **given: Any) -> M:
    """`model` with every field that `given` does not set read from the attribute of `source` of
    the same name. Only the model's own fields are read: nothing else of `source` reaches the wire."""
    read = {name: getattr(source, name) for name in model.model_fields if name not in given}
    return model(**read, **given)
