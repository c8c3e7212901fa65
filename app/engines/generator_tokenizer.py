"""What both generators answer from the generator's own tokenizer, whichever engine samples: the
remote one tokenizes here too, so both deployments feed the engine the same prompt tokens."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from transformers import PreTrainedTokenizerBase

from app.engines.protocols import ChatMessage, SamplingRequest
from app.engines.vllm_common import chat_prompt, prompt_ids

# A request's prompt is asked for once per chain, per tool pause and per round of a step-level
# search: the last prompts' tokens are kept rather than tokenized again each time.
PROMPTS_KEPT = 256


class GeneratorTokenizer:
    """The tokenizer's part of the `Generator` protocol, a base of both generators."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        self._tokenizer = tokenizer
        self._prompt_ids = lru_cache(maxsize=PROMPTS_KEPT)(self._tokenized)

    def _tokenized(self, text: str, templated: bool) -> tuple[int, ...]:
        return tuple(prompt_ids(self._tokenizer, text, templated))

    def count_tokens(self, text: str, templated: bool = False) -> int:
        return len(self._prompt_ids(text, templated))

    def token_ids(self, text: str) -> list[int]:
        return list(self._tokenizer.encode(text, add_special_tokens=False))

    def chat_prompt(self, messages: Sequence[ChatMessage]) -> str:
        return chat_prompt(self._tokenizer, messages)

    def spelling(self, text: str, ids: Sequence[int]) -> tuple[int, ...]:
        """Token ids that spell `text`: the decoded `ids` when they do (a stop string may end
        inside a token, whose text is then cut short), else the text tokenized again."""
        if self._tokenizer.decode(list(ids), skip_special_tokens=False) == text:
            return tuple(ids)
        return tuple(self.token_ids(text))

    def prompt_ids(self, request: SamplingRequest) -> list[int]:
        """The token ids the engine is handed for the request's prompt."""
        return list(self._prompt_ids(request.prompt, request.templated))
