"""Model formats as data: how to prompt a generator and read its chains, and how a reward model
reads a chain and gives its scores.

A format file (a preset in `app/formats/presets/`, a model directory's `bon_model.json`, or a file
named in settings) names a preset, or holds a `generator` and/or a `scorer` section. Every field
is checked when the file is loaded, and an error names the file and the field.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.errors import ConfigurationError
from app.json_files import parse_json_file, read_json_file

PROBLEM = "{problem}"  # stands for the problem in a template; replaced literally, never str.format
OUTPUT = "{output}"  # stands for a tool's output in a result template, replaced the same way
NOTE = "{note}"  # stands for a client's note in the note template, replaced the same way


class FormatError(ConfigurationError):
    """A format file or preset that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Prompt(_Strict):
    chat: bool = Field(default=False, description="Build the prompt with the tokenizer's chat template.")
    system: str | None = Field(
        default=None, description="The system prompt (chat only); settings and requests can replace it."
    )
    template: str = Field(
        default=PROBLEM,
        description="The problem's text: the whole prompt (plain), or the user message (chat). "
        "'{problem}' stands for the problem.",
    )

    @field_validator("template")
    @classmethod
    def _one_problem(cls, template: str) -> str:
        if template.count(PROBLEM) != 1:
            raise ValueError(f"must contain {PROBLEM!r} exactly once")
        return template

    @model_validator(mode="after")
    def _system_needs_chat(self) -> Prompt:
        if self.system is not None and not self.chat:
            raise ValueError("a system prompt needs chat: true (a plain prompt has no system turn)")
        return self

    def fill(self, problem: str) -> str:
        return self.template.replace(PROBLEM, problem)


class Thinking(_Strict):
    """A thinking model's markers: steps come from between them, the answer from after the close."""

    open: str = Field(default="<think>", min_length=1)
    close: str = Field(default="</think>", min_length=1)


class ToolSyntax(_Strict):
    """How a tool is called in a chain and how its result is written back: the chain pauses at
    `trigger`, the call is read from the chain's text so far with `call`, and `result` (or `error`,
    when the tool fails) is appended before the chain goes on. The text appended is part of the
    hidden chain, read by the reward model as the model's own."""

    trigger: str = Field(min_length=1, description="A stop string: the chain pauses when it writes it.")
    call: str = Field(
        description="A regular expression matched against the end of the chain's text (up to and including the "
        "trigger); its named groups fill `code`. No match: the chain goes on untouched."
    )
    code: str = Field(
        default="{code}",
        description="What the tool is given, from the call's named groups ('{name}' stands for one; a group that "
        "took no part in the match is empty): a step that leaves its left operand to the previous result "
        "gives the calculator both.",
    )
    result: str = Field(description="What is appended for a result; '{output}' stands for the tool's output.")
    error: str | None = Field(
        default=None, description="What is appended when the tool fails ('{output}': the error); default: result."
    )

    @model_validator(mode="after")
    def _code_from_groups(self) -> ToolSyntax:
        try:
            groups = set(re.compile(self.call).groupindex)
        except re.error as exc:
            raise ValueError(f"call is not a regular expression: {exc}") from None
        named = {name for _, name, _, _ in string.Formatter().parse(self.code) if name is not None}
        if not named or "" in named:
            raise ValueError("code must name at least one of call's groups, as '{name}'")
        if missing := sorted(named - groups):
            raise ValueError(f"code names groups that call lacks: {', '.join(missing)}")
        return self

    def code_of(self, found: re.Match[str]) -> str:
        """The tool's input from a match of `call`."""
        return self.code.format_map({name: value or "" for name, value in found.groupdict().items()})

    @field_validator("result", "error")
    @classmethod
    def _has_output(cls, template: str | None) -> str | None:
        if template is not None and template.count(OUTPUT) != 1:
            raise ValueError(f"must contain {OUTPUT!r} exactly once")
        return template

    def written(self, output: str, failed: bool) -> str:
        """The text appended for a tool's output (or its error), its trailing newlines off: the
        template says how the output block ends."""
        template = self.error if failed and self.error is not None else self.result
        return template.replace(OUTPUT, output.rstrip("\n"))


class GeneratorFormat(_Strict):
    prompt: Prompt = Field(default_factory=Prompt)
    step_separator: str = Field(default="\n\n", min_length=1, description="Where one step ends and the next begins.")
    answer_prefix: str | None = Field(
        default=None, min_length=1, description="Marks the answer line; without it, the last \\boxed{} is the answer."
    )
    thinking: Thinking | None = Field(default=None, description="Set for models that think in tags first.")
    domain: str | None = Field(
        default=None,
        description="A regular expression that every problem the generator was trained on matches whole: outside "
        "it the answer is still given, and its calibrated confidence knows the input is unfamiliar.",
    )
    max_steps: int = Field(default=48, ge=1, description="More steps than this are merged (shortest first).")
    max_answer_chars: int = Field(default=200, ge=1, description="A longer extracted answer is no answer.")
    max_tokens: int = Field(default=1024, ge=1, description="A chain's token budget when the request sets none.")
    timeout_s: float = Field(default=120.0, gt=0, description="A request's deadline: thinking takes long.")
    checkers: list[str] = Field(
        default_factory=list,
        description="The step checkers that fit this notation (numeric, latex, arith): what `checks: auto` uses.",
    )
    summary: Literal["arith", "model"] = Field(
        default="model", description="arith: the shipped task's rule-based paraphrase; model: written by a model."
    )
    tools: dict[str, ToolSyntax | list[ToolSyntax]] = Field(
        default_factory=dict,
        description="The tools this notation calls inside a chain, by name (calculator, python), and their syntax "
        "(a list: each of the ways the tool is called).",
    )
    note: str | None = Field(
        default=None,
        description="How a client's note (POST /solve/{request_id}/context) is written into a running chain at a "
        "step boundary, marked as the user's; '{note}' stands for the note. None: this format takes no notes.",
    )

    @field_validator("domain")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"domain is not a regular expression: {exc}") from None
        return pattern

    @field_validator("note")
    @classmethod
    def _one_note(cls, template: str | None) -> str | None:
        if template is not None and template.count(NOTE) != 1:
            raise ValueError(f"must contain {NOTE!r} exactly once")
        return template

    def tool_syntaxes(self, name: str) -> list[ToolSyntax]:
        """The ways the chain calls one of its tools."""
        syntax = self.tools[name]
        return syntax if isinstance(syntax, list) else [syntax]

    def written_note(self, note: str) -> str:
        """A note as a chain reads it (the format must take notes)."""
        if self.note is None:
            raise ValueError("this format takes no notes")
        return self.note.replace(NOTE, note)

    def in_domain(self, problem: str) -> bool:
        """Whether the problem is of the kind the generator was trained on (always, without a domain)."""
        return self.domain is None or re.fullmatch(self.domain, problem.strip()) is not None


class ScorerFormat(_Strict):
    head: Literal["label_tokens", "two_class"] = Field(
        description="label_tokens: a causal LM read at two label tokens (Math-Shepherd); two_class: a "
        "classification head with [wrong, right] (Qwen2ForProcessRewardModel)."
    )
    input: Literal["prompt", "chat"] = Field(
        default="prompt",
        description="prompt: the prompt's text, then the tagged steps; chat: the chat template with the tagged "
        "steps as the assistant's turn.",
    )
    prompt: Prompt = Field(default_factory=Prompt)
    step_tag: str = Field(min_length=1, description="Written after each step.")
    tag_token: str = Field(min_length=1, description="The vocabulary token the scores are read at, as spelt in it.")
    step_joiner: str = Field(default="\n", description="Between one tagged step and the next.")
    full_steps: Literal["arith"] | None = Field(
        default=None,
        description="A step grammar whose shorthand is written out in full before the model reads the chain "
        "(arith: a step that starts with its operator gets the previous result as its left operand).",
    )
    good_token: str | None = Field(default=None, description="label_tokens: the vocabulary token meaning 'right'.")
    bad_token: str | None = Field(default=None, description="label_tokens: the vocabulary token meaning 'wrong'.")

    @model_validator(mode="after")
    def _consistent(self) -> ScorerFormat:
        labelled = self.good_token is not None and self.bad_token is not None
        if self.head == "label_tokens" and not labelled:
            raise ValueError("head label_tokens needs good_token and bad_token")
        if self.head == "two_class" and (self.good_token or self.bad_token):
            raise ValueError("head two_class reads its own head: no good_token or bad_token")
        if self.input == "chat" and not self.prompt.chat:
            raise ValueError("input chat needs prompt.chat: true")
        return self


class Detect(_Strict):
    """When a preset fits a model that names no format: every criterion given must hold."""

    priority: int = Field(default=0, description="Tried in descending order; the first preset that fits wins.")
    architectures: list[str] = Field(default_factory=list, description="Any of these in config.json.")
    model_types: list[str] = Field(default_factory=list, description="config.json's model_type is one of these.")
    tokens: list[str] = Field(default_factory=list, description="All of these are tokens of the vocabulary.")
    chat_template_contains: list[str] = Field(default_factory=list, description="All of these are in it.")
    needs_chat_template: bool = False


class FormatFile(_Strict):
    preset: str | None = Field(default=None, description="Use this preset (and nothing else in the file).")
    generator: GeneratorFormat | None = None
    scorer: ScorerFormat | None = None
    detect: Detect | None = Field(default=None, description="Presets only: which models it fits.")

    @model_validator(mode="after")
    def _preset_or_sections(self) -> FormatFile:
        sections = self.generator is not None or self.scorer is not None
        if self.preset is not None and sections:
            raise ValueError("give a preset or generator/scorer sections, not both")
        if self.preset is None and not sections:
            raise ValueError("give a preset, or a generator and/or a scorer section")
        if self.preset is not None and self.detect is not None:
            raise ValueError("detect belongs to a preset's own file")
        return self


def parse_format(text: str, source: str) -> FormatFile:
    """A format file's text, checked; `source` names it in errors."""
    return parse_json_file(FormatFile, text, source, FormatError)


def load_format(path: Path) -> FormatFile:
    return read_json_file(FormatFile, path, "format file", FormatError)
