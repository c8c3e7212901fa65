"""The wire models of `POST /v1/responses`, as OpenAI's SDKs send and read them.

As in chat, only what the service honours is declared, and the hidden chains have no field: the
`reasoning` output item carries a summary of the winning chain, as OpenAI's o-series models do.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.examples import EXAMPLE_PROBLEM, EXAMPLE_SUMMARY
from app.api.schemas.openai_common import OpenAIRequest
from app.config import Effort, SummaryStyle


class ReasoningParam(BaseModel):
    model_config = ConfigDict(extra="ignore")
    effort: Effort | None = Field(default=None, description="minimal/low/medium/high: chains sampled and verified.")
    summary: SummaryStyle | None = Field(
        default=None, description="Return a summary of the reasoning (auto = detailed here); none when absent."
    )


class InputMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant"] = Field(description="Who wrote the message.")
    content: str | list[dict[str, object]] = Field(description="Text, or a list of input_text parts.")

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "".join(str(p.get("text", "")) for p in self.content if p.get("type") in ("input_text", "text"))


class ResponseTool(BaseModel):
    """A tool the request offers the model, as OpenAI's Responses API spells it: only
    `code_interpreter` is served (the hidden chains' code runs in the server's sandbox)."""

    model_config = ConfigDict(extra="ignore")  # a code_interpreter's container is the server's own

    type: str = Field(max_length=64, description="`code_interpreter`: the chains may run Python code.")


class ResponseRequest(OpenAIRequest):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "model": "arith-generator",
                    "input": EXAMPLE_PROBLEM,
                    "reasoning": {"effort": "low", "summary": "auto"},
                }
            ]
        },
    )

    input: str | list[InputMessage] = Field(description="The problem, or messages whose last user one is it.")
    instructions: str | None = Field(
        default=None,
        description="A system prompt, replacing the server's (models with a chat template only); else the input's "
        "system and developer messages are.",
    )
    reasoning: ReasoningParam | None = Field(default=None, description="Effort, and whether to return a summary.")
    max_output_tokens: int | None = Field(default=None, ge=1, description="Upper bound, reasoning included.")
    stream: bool | None = Field(default=None, description="Streaming is not supported; false or absent.")
    tools: list[ResponseTool] | None = Field(
        default=None,
        max_length=8,
        description='`[{"type": "code_interpreter"}]`: the hidden chains may run Python code in the server\'s '
        "sandbox while they reason (where the operator enabled it). Their code is chain text: no code_interpreter_call "
        "item is returned; metadata counts the calls. Absent: the server's default tools; []: none.",
    )


class SummaryText(BaseModel):
    type: Literal["summary_text"] = Field(default="summary_text", description="Always 'summary_text'.")
    text: str = Field(description="A summary of the winning chain's reasoning; never the chain itself.")


class ReasoningItem(BaseModel):
    id: str = Field(description="rs_ and the request id.")
    type: Literal["reasoning"] = Field(default="reasoning", description="Always 'reasoning'.")
    summary: list[SummaryText] = Field(description="One summary text when one was asked for, else empty.")


class OutputText(BaseModel):
    type: Literal["output_text"] = Field(default="output_text", description="Always 'output_text'.")
    text: str = Field(description="The selected final answer (empty when no chain reached one).")
    annotations: list[object] = Field(default_factory=list, description="Always empty.")


class MessageItem(BaseModel):
    id: str = Field(description="msg_ and the request id.")
    type: Literal["message"] = Field(default="message", description="Always 'message'.")
    status: Literal["completed", "incomplete"] = Field(
        default="completed", description="incomplete when no chain reached an answer."
    )
    role: Literal["assistant"] = Field(default="assistant", description="Always 'assistant'.")
    content: list[OutputText] = Field(min_length=1, max_length=1, description="The answer as one output text.")


class InputTokensDetails(BaseModel):
    cached_tokens: int = Field(default=0, ge=0, description="Always 0: not reported.")


class OutputTokensDetails(BaseModel):
    reasoning_tokens: int = Field(ge=0, description="Hidden chain tokens, summed over all sampled chains.")


class ResponseUsage(BaseModel):
    input_tokens: int = Field(ge=0, description="Tokens of the prompt.")
    input_tokens_details: InputTokensDetails = Field(default_factory=InputTokensDetails, description="Cache use.")
    output_tokens: int = Field(ge=0, description="All generated tokens (all reasoning tokens, as in chat).")
    output_tokens_details: OutputTokensDetails = Field(description="The hidden share of output_tokens.")
    total_tokens: int = Field(ge=0, description="input_tokens + output_tokens.")


class ResponseReasoning(BaseModel):
    effort: Effort = Field(description="The effort the request ran at.")
    summary: SummaryStyle | None = Field(default=None, description="As requested.")


class VerificationMetadata(BaseModel):
    """The verification as OpenAI's string metadata: closed, so nothing else can ride in it."""

    model_config = ConfigDict(extra="forbid")

    bon_confidence: str = Field(
        pattern=r"^(0|1)\.\d{4}$", description="The probability that the answer is right (when calibrated)."
    )
    bon_calibrated: Literal["true", "false"] = Field(description="Whether bon_confidence is a probability.")
    bon_verified: Literal["true", "false"] = Field(description="'false': treat the answer as a guess.")
    bon_checkers: str | None = Field(
        default=None,
        pattern=r"^[a-z0-9_]+@[0-9]+(,[a-z0-9_]+@[0-9]+)*$",
        description="The step checkers that read every step, as name@version (absent when none ran).",
    )
    bon_steps_checked: str | None = Field(default=None, pattern=r"^\d+$", description="Steps the checkers read.")
    bon_steps_failed: str | None = Field(default=None, pattern=r"^\d+$", description="Steps found false.")
    bon_chains_vetoed: str | None = Field(default=None, pattern=r"^\d+$", description="Chains with a step found false.")
    bon_tool_calls: str | None = Field(
        default=None, pattern=r"^\d+$", description="Tool calls the hidden chains made (absent when tools were off)."
    )
    bon_tool_calls_failed: str | None = Field(
        default=None, pattern=r"^\d+$", description="Of those, calls that gave no result (an error, a limit, refused)."
    )


class ResponseObject(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "resp_3f2a9c1e0b7d4e55",
                    "object": "response",
                    "created_at": 1764115200,
                    "status": "completed",
                    "model": "arith-generator",
                    "output": [
                        {
                            "id": "rs_3f2a9c1e0b7d4e55",
                            "type": "reasoning",
                            "summary": [{"type": "summary_text", "text": EXAMPLE_SUMMARY}],
                        },
                        {
                            "id": "msg_3f2a9c1e0b7d4e55",
                            "type": "message",
                            "status": "completed",
                            "role": "assistant",
                            "content": [{"type": "output_text", "text": "243", "annotations": []}],
                        },
                    ],
                    "reasoning": {"effort": "low", "summary": "auto"},
                    "usage": {
                        "input_tokens": 19,
                        "input_tokens_details": {"cached_tokens": 0},
                        "output_tokens": 128,
                        "output_tokens_details": {"reasoning_tokens": 128},
                        "total_tokens": 147,
                    },
                }
            ]
        }
    )

    id: str = Field(description="resp_ and the request id.")
    object: Literal["response"] = Field(default="response", description="Always 'response'.")
    created_at: int = Field(ge=0, description="Unix time of the answer.")
    status: Literal["completed", "incomplete"] = Field(description="incomplete when no chain reached an answer.")
    model: str = Field(description="The served model's id.")
    output: list[ReasoningItem | MessageItem] = Field(description="A reasoning item, then the message item.")
    reasoning: ResponseReasoning = Field(description="The reasoning settings the request ran with.")
    usage: ResponseUsage = Field(description="Tokens, the hidden reasoning counted in output_tokens_details.")
    metadata: VerificationMetadata = Field(description="The verification, as OpenAI's string metadata.")
