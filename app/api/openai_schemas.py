"""The OpenAI-compatible wire models: chat completions, responses, models, and OpenAI's error shape.

Only what the service honours is declared; other fields the OpenAI SDKs may send are ignored, as
OpenAI's own server ignores what a model does not use. The hidden chains have no field here
either: the verification's public part goes in the documented extra fields `verification`
(chat) and the `reasoning` output item's `summary` (responses).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas import AnswerClusterOut
from app.config import Effort


class OpenAIErrorDetail(BaseModel):
    message: str = Field(description="What went wrong, for a person.")
    type: str = Field(description="invalid_request_error, rate_limit_error, server_error, …")
    param: str | None = Field(default=None, description="The request parameter at fault, if one is.")
    code: str | None = Field(default=None, description="A stable machine-readable code, e.g. model_not_found.")


class OpenAIError(BaseModel):
    error: OpenAIErrorDetail


# --- /v1/models


class ModelCard(BaseModel):
    id: str = Field(description="The model id to send as `model`.")
    object: Literal["model"] = Field(default="model", description="Always 'model'.")
    created: int = Field(ge=0, description="Unix time the service started serving it.")
    owned_by: str = Field(default="bon", description="Who serves it.")


class ModelList(BaseModel):
    object: Literal["list"] = Field(default="list", description="Always 'list'.")
    data: list[ModelCard] = Field(description="The served models (one: the generator).")


# --- /v1/chat/completions


class TextPart(BaseModel):
    model_config = ConfigDict(extra="ignore")
    type: Literal["text"] = Field(description="Only text parts are read.")
    text: str = Field(description="The text of this part.")


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["system", "developer", "user", "assistant", "tool"] = Field(description="Who wrote the message.")
    content: str | list[TextPart] | None = Field(default=None, description="Text, or a list of text parts.")

    def text(self) -> str:
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(p.text for p in self.content)


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": "arith-generator",
                    "messages": [{"role": "user", "content": "((37+48)*3)-12"}],
                    "reasoning_effort": "medium",
                    "seed": 7,
                }
            ]
        },
    )

    model: str = Field(description="The served model's id (GET /v1/models).")
    messages: list[ChatMessage] = Field(min_length=1, description="The last user message is the problem.")
    reasoning_effort: Effort | None = Field(
        default=None, description="minimal/low/medium/high: how many chains are sampled and verified."
    )
    n: int | None = Field(default=None, description="Choices to return; only 1 is supported.")
    temperature: float | None = Field(default=None, ge=0.0, le=2.0, description="Sampling temperature of the chains.")
    max_completion_tokens: int | None = Field(
        default=None, ge=1, description="Upper bound on all generated tokens, the hidden reasoning included."
    )
    max_tokens: int | None = Field(default=None, ge=1, description="Deprecated alias of max_completion_tokens.")
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Makes the answer reproducible.")
    stream: bool | None = Field(default=None, description="Streaming is not supported; false or absent.")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = Field(default="assistant", description="Always 'assistant'.")
    content: str | None = Field(description="The selected final answer; null when no chain reached one.")
    refusal: None = Field(default=None, description="Always null: the service does not refuse.")


class ChatChoice(BaseModel):
    index: int = Field(ge=0, le=0, description="Always 0: one choice, the verified answer.")
    message: AssistantMessage = Field(description="The answer.")
    finish_reason: Literal["stop", "length"] = Field(
        description="stop, or length when no chain reached an answer within its token budget."
    )
    logprobs: None = Field(default=None, description="Always null.")


class CompletionTokensDetails(BaseModel):
    reasoning_tokens: int = Field(ge=0, description="Hidden chain tokens, summed over all sampled chains.")


class ChatUsage(BaseModel):
    prompt_tokens: int = Field(ge=0, description="Tokens of the prompt (shared by all chains).")
    completion_tokens: int = Field(
        ge=0,
        description="All generated tokens; the visible answer is the winning chain's last line, so all are "
        "reasoning tokens.",
    )
    total_tokens: int = Field(ge=0, description="prompt_tokens + completion_tokens.")
    completion_tokens_details: CompletionTokensDetails = Field(description="The hidden share of completion_tokens.")


class Verification(BaseModel):
    """The extra field that carries the best-of-N verification's public part."""

    summary: str = Field(description="A summary of the winning chain's reasoning; never the chain itself.")
    confidence: float = Field(ge=0, le=1, description="The winning answer cluster's share of the selection weight.")
    n: int = Field(ge=1, description="Chains sampled and verified.")
    reasoning_effort: Effort = Field(description="The effort the request ran at.")
    clusters: list[AnswerClusterOut] = Field(description="Answer clusters, heaviest first.")


_SUMMARY = (
    "Worked left to right from 37 in 3 operations: add 48 to get 85; multiply by 3 to get 255; subtract 12 "
    "to get 243. Final answer 243; the verifier's least confident step scored 0.97."
)


class ChatCompletion(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "chatcmpl-3f2a9c1e0b7d4e55",
                    "object": "chat.completion",
                    "created": 1764115200,
                    "model": "arith-generator",
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": "243", "refusal": None},
                            "finish_reason": "stop",
                            "logprobs": None,
                        }
                    ],
                    "usage": {
                        "prompt_tokens": 19,
                        "completion_tokens": 512,
                        "total_tokens": 531,
                        "completion_tokens_details": {"reasoning_tokens": 512},
                    },
                    "verification": {
                        "summary": _SUMMARY,
                        "confidence": 0.83,
                        "n": 16,
                        "reasoning_effort": "medium",
                        "clusters": [{"answer": "243", "count": 13, "weight": 12.4}],
                    },
                }
            ]
        }
    )

    id: str = Field(description="chatcmpl- and the request id (X-Request-ID).")
    object: Literal["chat.completion"] = Field(default="chat.completion", description="Always 'chat.completion'.")
    created: int = Field(ge=0, description="Unix time of the answer.")
    model: str = Field(description="The served model's id.")
    choices: list[ChatChoice] = Field(min_length=1, max_length=1, description="One choice: the verified answer.")
    usage: ChatUsage = Field(description="Tokens, the hidden reasoning counted in completion_tokens_details.")
    verification: Verification = Field(description="Extra field (not in OpenAI's API): the verification summary.")


# --- /v1/responses


class ReasoningParam(BaseModel):
    model_config = ConfigDict(extra="ignore")
    effort: Effort | None = Field(default=None, description="minimal/low/medium/high: chains sampled and verified.")
    summary: Literal["auto", "concise", "detailed"] | None = Field(
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


class ResponseRequest(BaseModel):
    model_config = ConfigDict(
        extra="ignore",
        json_schema_extra={
            "examples": [
                {
                    "model": "arith-generator",
                    "input": "((37+48)*3)-12",
                    "reasoning": {"effort": "low", "summary": "auto"},
                }
            ]
        },
    )

    model: str = Field(description="The served model's id (GET /v1/models).")
    input: str | list[InputMessage] = Field(description="The problem, or messages whose last user one is it.")
    reasoning: ReasoningParam | None = Field(default=None, description="Effort, and whether to return a summary.")
    max_output_tokens: int | None = Field(default=None, ge=1, description="Upper bound, reasoning included.")
    temperature: float | None = Field(default=None, ge=0.0, le=2.0, description="Sampling temperature of the chains.")
    stream: bool | None = Field(default=None, description="Streaming is not supported; false or absent.")


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
    summary: Literal["auto", "concise", "detailed"] | None = Field(default=None, description="As requested.")


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
                            "summary": [{"type": "summary_text", "text": _SUMMARY}],
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
