"""Which format a model has: the one named in settings (a preset or a file), else the model's own
`bon_model.json`, else the preset whose `detect` rules fit its config and tokenizer."""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from app.formats.spec import FormatError, FormatFile, GeneratorFormat, ScorerFormat, load_format, parse_format
from app.model_ref import ModelRef

log = logging.getLogger(__name__)

PRESETS = Path(__file__).resolve().parent / "presets"
FORMAT_FILE = "bon_model.json"

Role = Literal["generator", "scorer"]
F = TypeVar("F", GeneratorFormat, ScorerFormat)


class Vocabulary(Protocol):
    """What detection and the checks read of a tokenizer (a Hugging Face tokenizer has it)."""

    chat_template: Any

    def get_vocab(self) -> dict[str, int]: ...


@cache
def preset_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in PRESETS.glob("*.json")))


@cache
def load_preset(name: str) -> FormatFile:
    if name not in preset_names():
        raise FormatError(f"no preset named {name!r}; the presets are: {', '.join(preset_names())}")
    return load_format(PRESETS / f"{name}.json")


def _section(file: FormatFile, role: Role, source: str) -> GeneratorFormat | ScorerFormat:
    if file.preset is not None:
        try:
            preset = load_preset(file.preset)
        except FormatError as exc:
            raise FormatError(f"{source}: preset: {exc}") from None
        return _section(preset, role, f"{source} (preset {file.preset})")
    section = file.generator if role == "generator" else file.scorer
    if section is None:
        raise FormatError(f"{source}: has no {role} section, so it cannot describe a {role}")
    return section


def _named(setting: str, role: Role, what: str) -> tuple[GeneratorFormat | ScorerFormat, str]:
    """A setting's format: a preset name, or a path to a format file."""
    if setting in preset_names():
        return _section(load_preset(setting), role, f"preset {setting}"), f"preset {setting} ({what})"
    path = Path(setting).expanduser()
    if not path.is_file():
        raise FormatError(f"{what}={setting!r} is neither a preset ({', '.join(preset_names())}) nor a file")
    return _section(load_format(path), role, str(path)), f"{path} ({what})"


def _detected(model: ModelRef, role: Role, tokenizer: Vocabulary) -> tuple[GeneratorFormat | ScorerFormat, str]:
    config = model.read_json("config.json") or {}
    vocab = tokenizer.get_vocab()
    template = tokenizer.chat_template if isinstance(tokenizer.chat_template, str) else ""
    candidates = []
    for name in preset_names():
        preset = load_preset(name)
        if preset.detect is not None and (preset.generator if role == "generator" else preset.scorer) is not None:
            candidates.append((preset.detect.priority, name, preset))
    for _, name, preset in sorted(candidates, key=lambda c: (-c[0], c[1])):
        rule = preset.detect
        assert rule is not None
        fits = (
            (not rule.architectures or bool(set(rule.architectures) & set(config.get("architectures") or [])))
            and (not rule.model_types or config.get("model_type") in rule.model_types)
            and all(token in vocab for token in rule.tokens)
            and (not rule.needs_chat_template or bool(template))
            and all(text in template for text in rule.chat_template_contains)
        )
        if fits:
            return _section(preset, role, f"preset {name}"), f"preset {name} (detected)"
    raise FormatError(
        f"cannot tell the {role} format of {model.name}: it has no {FORMAT_FILE} and fits no preset's detection "
        f"rules; name one in settings (a preset: {', '.join(preset_names())}; or a format file)"
    )


def _resolve(setting: str | None, what: str, model: ModelRef, role: Role, tokenizer: Vocabulary) -> tuple[Any, str]:
    if setting:
        return _named(setting, role, what)
    own = model.read_text(FORMAT_FILE)
    if own is not None:
        source = f"{model.name}/{FORMAT_FILE}"
        return _section(parse_format(own, source), role, source), source
    return _detected(model, role, tokenizer)


def generator_format(
    setting: str | None, what: str, model: ModelRef, tokenizer: Vocabulary
) -> tuple[GeneratorFormat, str]:
    """The generator's format and where it came from (for the start-up log); `what` names the setting."""
    fmt, source = _resolve(setting, what, model, "generator", tokenizer)
    assert isinstance(fmt, GeneratorFormat)
    if fmt.prompt.chat and not tokenizer.chat_template:
        raise FormatError(f"{source}: prompts through a chat template, but {model.name}'s tokenizer has none")
    log.info("generator %s: format %s", model.short_name, source)
    return fmt, source


def scorer_format(setting: str | None, what: str, model: ModelRef, tokenizer: Vocabulary) -> tuple[ScorerFormat, str]:
    """The reward model's format and where it came from; its tokens must be in the vocabulary."""
    fmt, source = _resolve(setting, what, model, "scorer", tokenizer)
    assert isinstance(fmt, ScorerFormat)
    vocab = tokenizer.get_vocab()
    for field in ("tag_token", "good_token", "bad_token"):
        token = getattr(fmt, field)
        if token is not None and token not in vocab:
            raise FormatError(f"{source}: {field} {token!r} is not a token of {model.name}'s vocabulary")
    if fmt.prompt.chat and not tokenizer.chat_template:
        raise FormatError(f"{source}: reads through a chat template, but {model.name}'s tokenizer has none")
    log.info("reward model %s: format %s", model.short_name, source)
    return fmt, source
