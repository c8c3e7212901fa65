"""A character-level tokenizer for the arithmetic task, saved as a standard ``tokenizer.json``."""

from __future__ import annotations

from tokenizers import Tokenizer, decoders, models, processors
from transformers import PreTrainedTokenizerFast

from app.formats.resolve import load_preset

# The reward models' step tag and labels, as the `arith` preset reads them.
_SCORER = load_preset("arith").scorer
assert _SCORER is not None and _SCORER.good_token is not None and _SCORER.bad_token is not None
STEP_TAG, GOOD_TOKEN, BAD_TOKEN = _SCORER.step_tag, _SCORER.good_token, _SCORER.bad_token

SPECIAL_TOKENS = ["<pad>", "<s>", "</s>", "<unk>"]
# Every character the task writes, plus the reward models' step tag and label tokens, which
# never occur in problems or chains (a tag that also occurs in the text would be scored there).
CHARACTERS = [*"0123456789+-*()=:QA \n", STEP_TAG, GOOD_TOKEN, BAD_TOKEN]


def build_tokenizer() -> PreTrainedTokenizerFast:
    vocab = {tok: i for i, tok in enumerate(SPECIAL_TOKENS + CHARACTERS)}
    # A BPE with no merges over single characters is a character tokenizer that every
    # Hugging Face loader (and vLLM) reads from tokenizer.json without custom code.
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.decoder = decoders.Fuse()
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A $B", special_tokens=[("<s>", vocab["<s>"])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        unk_token="<unk>",
        clean_up_tokenization_spaces=False,
    )
