"""Tiny models with real formats, made here (no hub is reachable): random weights, real
architectures and tokenizers, and no bon_model.json, so the service must detect their formats.

`markov_generator` writes a chosen path: every attention and MLP output is zeroed, so the next
token depends on the current one only, and the embeddings and output rows are set so that each
token of the path is followed by its successors. Of two successors the first is a little likelier
(about 0.7 against 0.3 when sampling): greedy decoding takes it."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save_file
from transformers import (
    AutoTokenizer,
    LlamaConfig,
    LlamaForCausalLM,
    PreTrainedTokenizerBase,
    Qwen2Config,
    Qwen2ForCausalLM,
    Qwen2Model,
)

HIDDEN = 64  # two heads of 32: vLLM's CPU attention has no kernel below 32
CONTEXT = 512


def _tiny(config_cls: type, vocab: int, tok: PreTrainedTokenizerBase, **extra: object) -> object:
    return config_cls(
        vocab_size=vocab,
        hidden_size=HIDDEN,
        intermediate_size=2 * HIDDEN,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=1,
        max_position_embeddings=CONTEXT,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
        tie_word_embeddings=False,
        **extra,
    )


def _save(model: torch.nn.Module, path: Path, tok: PreTrainedTokenizerBase, config: dict[str, object]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, str(path / "model.safetensors"))
    # Without an explicit dtype vLLM's CPU backend would load the weights in bfloat16.
    (path / "config.json").write_text(json.dumps(config | {"dtype": "float32"}, indent=2))
    tok.save_pretrained(path)
    return path


def markov_generator(path: Path, tokenizer_dir: Path, start: str, path_tokens: dict[str, list[str]]) -> Path:
    """A Qwen2 causal LM that, from the token `start`, writes along `path_tokens` (token → its
    successors, as vocabulary tokens)."""
    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    vocab = tok.get_vocab()
    torch.manual_seed(0)
    config = _tiny(Qwen2Config, len(tok), tok)
    model = Qwen2ForCausalLM(config).eval()
    tokens = sorted({start, *path_tokens, *(t for nxt in path_tokens.values() for t in nxt)}, key=vocab.__getitem__)
    with torch.no_grad():
        for layer in model.model.layers:
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        basis, _ = torch.linalg.qr(torch.randn(HIDDEN, HIDDEN))
        for k, token in enumerate(tokens):
            model.model.embed_tokens.weight[vocab[token]] = basis[:, k]
        model.lm_head.weight.zero_()
        for current, successors in path_tokens.items():
            for rank, successor in enumerate(successors):
                # The final norm scales a unit vector to length 8: a logit of 24 (23.2) against 0.
                weight = 3.0 - 0.1 * rank
                model.lm_head.weight[vocab[successor]] += weight * basis[:, tokens.index(current)]
    raw = config.to_dict() | {"architectures": ["Qwen2ForCausalLM"]}
    return _save(model, path, tok, raw)


def qwen2_prm(path: Path, tokenizer_dir: Path) -> tuple[Path, Qwen2Model, torch.nn.Sequential]:
    """A Qwen2ForProcessRewardModel (two-class head at `<extra_0>`), random, with its body and head
    returned for a reference computed with transformers and torch only."""
    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    config = _tiny(Qwen2Config, len(tok), tok)
    torch.manual_seed(1)
    body = Qwen2Model(config).eval()
    head = torch.nn.Sequential(torch.nn.Linear(HIDDEN, HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, 2)).eval()
    with torch.no_grad():  # weights large enough that the two classes differ by step
        for p in head.parameters():
            p.mul_(8.0)
    path.mkdir(parents=True, exist_ok=True)
    tensors = {f"model.{k}": v.contiguous() for k, v in body.state_dict().items()}
    tensors |= {f"score.{k}": v.contiguous() for k, v in head.state_dict().items()}
    save_file(tensors, str(path / "model.safetensors"))
    raw = config.to_dict() | {
        "architectures": ["Qwen2ForProcessRewardModel"],
        "num_labels": 2,
        "alpha": 1.0,
        "dtype": "float32",
    }
    (path / "config.json").write_text(json.dumps(raw, indent=2))
    tok.save_pretrained(path)
    return path, body, head


def mistral_prm(path: Path, tokenizer_dir: Path) -> tuple[Path, LlamaForCausalLM]:
    """A Math-Shepherd-style PRM: a causal LM on the Mistral v1 vocabulary, read at `▁+`/`▁-`."""
    tok = AutoTokenizer.from_pretrained(str(tokenizer_dir))
    config = _tiny(LlamaConfig, len(tok), tok)
    torch.manual_seed(2)
    model = LlamaForCausalLM(config).eval()
    with torch.no_grad():  # a sharper head, so that P(+) moves away from 1/2 from step to step
        model.lm_head.weight.mul_(40.0)
    raw = config.to_dict() | {"architectures": ["LlamaForCausalLM"]}
    _save(model, path, tok, raw)
    return path, model
