"""What both generators answer from the generator's own tokenizer, whichever engine samples: the
remote one tokenizes here too, so both deployments feed the engine the same prompt tokens."""

from __future__ import annotations

from collections.abc import Sequence

from transformers import PreTrainedTokenizerBase

from app.engines.protocols import ChatMessage, SamplingRequest
from app.engines.vllm_common import chat_prompt, prompt_ids


class GeneratorTokenizer:
    """The tokenizer's part of the `Generator` protocol, a base of both generators."""

    def __init__(self, tokenizer: PreTrainedTokenizerBase) -> None:
        self._tokenizer = tokenizer

    def count_tokens(self, text: str, templated: bool = False) -> int:
        return len(prompt_ids(self._tokenizer, text, templated))

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
        return prompt_ids(self._tokenizer, request.prompt, request.templated)
