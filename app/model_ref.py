"""A model as settings name it: a local directory or a Hugging Face id (with a revision), handed
to vLLM and transformers as it is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A model as settings name it: a local directory or a Hugging Face id, with a revision."""

    name: str
    revision: str | None = None

    @property
    def local_dir(self) -> Path | None:
        path = Path(self.name).expanduser()
        return path if path.is_dir() else None

    @property
    def short_name(self) -> str:
        """What the model is called: a directory's name, or the hub id as it is."""
        return self.local_dir.name if self.local_dir else self.name

    def read_text(self, filename: str) -> str | None:
        """A file of the model (from its directory or the hub), or None when it has none."""
        if self.local_dir is not None:
            path = self.local_dir / filename
            return path.read_text() if path.is_file() else None
        from transformers.utils import cached_file

        found = cached_file(self.name, filename, revision=self.revision, _raise_exceptions_for_missing_entries=False)
        return Path(found).read_text() if found else None

    def read_json(self, filename: str) -> dict[str, Any] | None:
        text = self.read_text(filename)
        return json.loads(text) if text is not None else None
