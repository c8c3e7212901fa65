"""Real tokenizers for fixtures (no hub is reachable here): the Mistral-7B v1 SentencePiece model
that Math-Shepherd's PRM uses, shipped inside `mistral_common`; and a byte-level BPE with ChatML's
special tokens and a ChatML chat template, as Qwen2.5 models have."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import mistral_common
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<extra_0>"]
# Thinking models' markers are ordinary added tokens, not special ones: they stay in the decoded text.
THINK_TOKENS = ["<think>", "</think>"]
THINKING_TEMPLATE = CHATML_TEMPLATE.replace("'<|im_start|>assistant\\n'", "'<|im_start|>assistant\\n<think>\\n'")


def mistral_v1(to: Path) -> Path:
    """The Mistral-7B v1 tokenizer, saved as a model directory's tokenizer files."""
    to.mkdir(parents=True, exist_ok=True)
    shutil.copy(Path(mistral_common.__file__).parent / "data" / "tokenizer.model.v1", to / "tokenizer.model")
    config = {
        "tokenizer_class": "LlamaTokenizer",
        "bos_token": "<s>",
        "eos_token": "</s>",
        "unk_token": "<unk>",
        "add_bos_token": True,
        "add_eos_token": False,
        "legacy": True,
    }
    (to / "tokenizer_config.json").write_text(json.dumps(config))
    return to


def chatml_bpe(
    to: Path, template: str = CHATML_TEMPLATE, corpus: list[str] | None = None, words: list[str] | None = None
) -> Path:
    """A small byte-level BPE with Qwen's special tokens, the thinking markers and any `words` as
    added tokens, and a chat template; trained here."""
    from transformers import PreTrainedTokenizerFast

    to.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    text = (
        corpus
        or [
            "Please reason step by step, and put your final answer within \\boxed{}.",
            "Janet has 3 apples and buys 4 more. 3 + 4 = 7. The answer is \\boxed{7}.",
            "Step 1: compute the sum. Step 2: check it. 12 * 3 = 36, 36 - 5 = 31.",
            "system user assistant Let me think. So the total is 42.",
        ]
        * 20
    )
    trainer = trainers.BpeTrainer(
        vocab_size=600, special_tokens=QWEN_SPECIALS, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()
    )
    tok.train_from_iterator(text, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=QWEN_SPECIALS[1:],
    )
    fast.add_tokens([*THINK_TOKENS, *(words or [])])
    fast.chat_template = template
    fast.save_pretrained(to)
    return to
