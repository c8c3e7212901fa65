"""Model formats as data: the presets, format files and their errors, and which format a model
gets (a setting, its bon_model.json, or detection from its config and tokenizer)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transformers import AutoTokenizer, PreTrainedTokenizerBase

from app.config import SHIPPED_MODELS
from app.formats.resolve import FORMAT_FILE, generator_format, load_preset, preset_names, scorer_format
from app.formats.spec import FormatError, GeneratorFormat, Prompt, parse_format
from app.model_ref import ModelRef
from tests.real_tokenizers import chatml_bpe, mistral_v1

SHIPPED_GENERATOR = ModelRef(str(SHIPPED_MODELS / "arith-generator"))


@pytest.fixture(scope="module")
def shipped_tokenizer() -> PreTrainedTokenizerBase:
    return AutoTokenizer.from_pretrained(SHIPPED_GENERATOR.name)


def model_dir(root: Path, config: dict[str, Any], tokenizer: Path | None = None, own: object = None) -> Path:
    if tokenizer is not None:
        root = tokenizer
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.json").write_text(json.dumps(config))
    if own is not None:
        (root / FORMAT_FILE).write_text(json.dumps(own))
    return root


def test_the_presets_our_users_run_ship_and_are_valid() -> None:
    assert set(preset_names()) >= {"arith", "qwen2.5-math", "r1", "qwen2.5-math-prm", "math-shepherd"}
    for name in preset_names():
        preset = load_preset(name)
        assert preset.generator is not None or preset.scorer is not None
    shepherd = load_preset("math-shepherd").scorer
    assert shepherd is not None and (shepherd.step_tag, shepherd.tag_token) == (" ки", "▁ки")
    assert (shepherd.good_token, shepherd.bad_token) == ("▁+", "▁-")
    r1 = load_preset("r1").generator
    assert r1 is not None and r1.thinking is not None and r1.max_tokens >= 4096


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ('{"generator": {"step_separator": ""}}', ["generator.step_separator", "at least 1"]),
        ('{"generator": {"prompt": {"template": "no placeholder"}}}', ["generator.prompt.template", "{problem}"]),
        ('{"generator": {"prompt": {"system": "be brief"}}}', ["generator.prompt", "chat: true"]),
        ('{"scorer": {"head": "label_tokens", "step_tag": "#", "tag_token": "#"}}', ["scorer", "good_token"]),
        ('{"scorer": {"head": "two_class", "input": "chat", "step_tag": "x", "tag_token": "x"}}', ["prompt.chat"]),
        ('{"preset": "arith", "generator": {}}', ["not both"]),
        ('{"generator": {"stepseparator": "\\n"}}', ["generator.stepseparator", "Extra inputs"]),
        ("{", ["Invalid JSON"]),
        ("{}", ["give a preset"]),
    ],
)
def test_a_bad_format_file_is_refused_naming_the_file_and_field(text: str, needles: list[str]) -> None:
    with pytest.raises(FormatError) as info:
        parse_format(text, "/models/x/bon_model.json")
    assert str(info.value).startswith("/models/x/bon_model.json: ")
    for needle in needles:
        assert needle in str(info.value)


@given(problem=st.text(max_size=80))
def test_a_template_holds_the_problem_literally(problem: str) -> None:
    prompt = Prompt(template="Solve: {problem}\nPut it in \\boxed{}. {not a field}")
    assert prompt.fill(problem) == f"Solve: {problem}\nPut it in \\boxed{{}}. {{not a field}}"


def test_a_setting_wins_over_the_models_own_file(shipped_tokenizer: PreTrainedTokenizerBase, tmp_path: Path) -> None:
    fmt, source = generator_format(None, "BON_GENERATOR_FORMAT", SHIPPED_GENERATOR, shipped_tokenizer)
    assert fmt == load_preset("arith").generator and source.endswith("bon_model.json")
    own = tmp_path / "mine.json"
    own.write_text(json.dumps({"generator": {"prompt": {"template": "Q:{problem}\n"}, "answer_prefix": "A:"}}))
    fmt, source = generator_format(str(own), "BON_GENERATOR_FORMAT", SHIPPED_GENERATOR, shipped_tokenizer)
    assert fmt.answer_prefix == "A:" and fmt.step_separator == "\n\n" and str(own) in source


def test_a_named_format_must_exist_and_fit_the_role(shipped_tokenizer: PreTrainedTokenizerBase) -> None:
    with pytest.raises(FormatError, match=r"neither a preset .* nor a file"):
        generator_format("qwen-2.5", "BON_GENERATOR_FORMAT", SHIPPED_GENERATOR, shipped_tokenizer)
    with pytest.raises(FormatError, match="no generator section"):
        generator_format("math-shepherd", "BON_GENERATOR_FORMAT", SHIPPED_GENERATOR, shipped_tokenizer)
    with pytest.raises(FormatError, match="has none"):  # a chat format, and the shipped tokenizer has no template
        generator_format("qwen2.5-math", "BON_GENERATOR_FORMAT", SHIPPED_GENERATOR, shipped_tokenizer)


def test_a_reward_models_tokens_must_be_in_its_vocabulary(tmp_path: Path) -> None:
    qwen = model_dir(tmp_path, {"architectures": ["Qwen2ForCausalLM"]}, chatml_bpe(tmp_path / "q"))
    tokenizer = AutoTokenizer.from_pretrained(str(qwen))
    with pytest.raises(FormatError, match="tag_token '▁ки' is not a token"):
        scorer_format("math-shepherd", "BON_PRM_FORMAT", ModelRef(str(qwen)), tokenizer)


def test_math_shepherd_is_detected_from_the_mistral_vocabulary(tmp_path: Path) -> None:
    prm = model_dir(tmp_path, {"architectures": ["MistralForCausalLM"]}, mistral_v1(tmp_path / "ms"))
    fmt, source = scorer_format(None, "BON_PRM_FORMAT", ModelRef(str(prm)), AutoTokenizer.from_pretrained(str(prm)))
    assert fmt == load_preset("math-shepherd").scorer and source == "preset math-shepherd (detected)"


def test_qwen2_math_prm_is_detected_from_its_architecture(tmp_path: Path) -> None:
    prm = model_dir(tmp_path, {"architectures": ["Qwen2ForProcessRewardModel"]}, chatml_bpe(tmp_path / "qp"))
    fmt, _ = scorer_format(None, "BON_PRM_FORMAT", ModelRef(str(prm)), AutoTokenizer.from_pretrained(str(prm)))
    assert fmt == load_preset("qwen2.5-math-prm").scorer


@pytest.mark.parametrize(
    ("template_extra", "model_type", "preset"),
    [("", "qwen2", "qwen2.5-math"), ("{{ '<think>\\n' }}", "qwen2", "r1"), ("{{ '<think>\\n' }}", "llama", "r1")],
)
def test_chat_generators_are_detected(tmp_path: Path, template_extra: str, model_type: str, preset: str) -> None:
    from tests.real_tokenizers import CHATML_TEMPLATE

    tokenizer_dir = chatml_bpe(tmp_path / "g", template=CHATML_TEMPLATE + template_extra)
    gen = model_dir(tmp_path, {"architectures": ["Qwen2ForCausalLM"], "model_type": model_type}, tokenizer_dir)
    fmt, _ = generator_format(None, "BON_GENERATOR_FORMAT", ModelRef(str(gen)), AutoTokenizer.from_pretrained(str(gen)))
    assert fmt == load_preset(preset).generator


def test_a_model_that_fits_no_preset_asks_for_a_format(
    tmp_path: Path, shipped_tokenizer: PreTrainedTokenizerBase
) -> None:
    bare = model_dir(tmp_path / "bare", {"architectures": ["LlamaForCausalLM"], "model_type": "llama"})
    with pytest.raises(FormatError, match=r"cannot tell the generator format .* name one in settings"):
        generator_format(None, "BON_GENERATOR_FORMAT", ModelRef(str(bare)), shipped_tokenizer)


def test_a_models_own_file_can_name_a_preset_or_hold_a_format(
    tmp_path: Path, shipped_tokenizer: PreTrainedTokenizerBase
) -> None:
    own = {"generator": {"prompt": {"template": "Problem: {problem}\n"}, "step_separator": "\n", "answer_prefix": "A:"}}
    custom = model_dir(tmp_path / "custom", {"model_type": "llama"}, own=own)
    fmt, _ = generator_format(None, "BON_GENERATOR_FORMAT", ModelRef(str(custom)), shipped_tokenizer)
    assert fmt == GeneratorFormat.model_validate(own["generator"])
    broken = model_dir(tmp_path / "broken", {"model_type": "llama"}, own={"preset": "nope"})
    with pytest.raises(FormatError, match=r"broken/bon_model.json: preset: no preset named 'nope'"):
        generator_format(None, "BON_GENERATOR_FORMAT", ModelRef(str(broken)), shipped_tokenizer)


def test_a_models_own_file_that_is_not_json_names_the_file(
    tmp_path: Path, shipped_tokenizer: PreTrainedTokenizerBase
) -> None:
    torn = model_dir(tmp_path / "torn", {"model_type": "llama"})
    (torn / FORMAT_FILE).write_text('{"generator": {"step_separator": "\n"')
    with pytest.raises(FormatError) as info:
        generator_format(None, "BON_GENERATOR_FORMAT", ModelRef(str(torn)), shipped_tokenizer)
    assert str(info.value).startswith(f"{torn / FORMAT_FILE}: ") and "Invalid JSON" in str(info.value)
