"""The wire models of `POST /v1/chat/completions`, as OpenAI's SDKs send and read them.

Only what the service honours is declared; other fields the SDKs may send are ignored, as
OpenAI's own server ignores what a model does not use. The hidden chains have no field here:
the verification's public part goes in the documented extra field `verification`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.examples import EXAMPLE_PROBLEM, EXAMPLE_SUMMARY
from app.api.schemas.native import AnswerClusterOut, ChainCountsOut, ChecksOut
from app.api.schemas.openai_common import OpenAIRequest
from app.config import Effort


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


class ChatCompletionRequest(OpenAIRequest):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "model": "arith-generator",
                    "messages": [{"role": "user", "content": EXAMPLE_PROBLEM}],
                    "reasoning_effort": "medium",
                    "seed": 7,
                }
            ]
        },
    )

    messages: list[ChatMessage] = Field(
        min_length=1,
        description="The last user message is the problem; system and developer messages are the system prompt "
        "(models with a chat template only).",
    )
    reasoning_effort: Effort | None = Field(
        default=None, description="minimal/low/medium/high: how many chains are sampled and verified."
    )
    n: int | None = Field(default=None, description="Choices to return; only 1 is supported.")
    max_completion_tokens: int | None = Field(
        default=None, ge=1, description="Upper bound on all generated tokens, the hidden reasoning included."
    )
    max_tokens: int | None = Field(default=None, ge=1, description="Deprecated alias of max_completion_tokens.")
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1, description="Makes the answer reproducible.")
    stream: bool | None = Field(
        default=None,
        description="Stream chat.completion.chunk events: the summary in delta.reasoning, then the answer in "
        "delta.content, then data: [DONE].",
    )
    stream_options: StreamOptions | None = Field(default=None, description="With stream: whether to send usage.")


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")
    include_usage: bool | None = Field(default=None, description="A last chunk with usage and no choices.")


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
    confidence: float = Field(
        ge=0,
        le=1,
        description="The probability that the answer is right, fitted on held-out problems (when `calibrated`); "
        "otherwise the winning cluster's share of the selection weight.",
    )
    calibrated: bool = Field(default=False, description="Whether `confidence` is a calibrated probability.")
    verified: bool = Field(
        default=False, description="The confidence reached the server's threshold; false: treat the answer as a guess."
    )
    n: int = Field(ge=1, description="Chains sampled and verified.")
    reasoning_effort: Effort = Field(description="The effort the request ran at.")
    clusters: list[AnswerClusterOut] = Field(description="Answer clusters, heaviest first.")
    chain_counts: ChainCountsOut = Field(description="What became of the sampled chains.")
    checks: ChecksOut | None = Field(default=None, description="What the step checkers found (when any ran).")


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
                        "summary": EXAMPLE_SUMMARY,
                        "confidence": 0.97,
                        "calibrated": True,
                        "verified": True,
                        "n": 16,
                        "reasoning_effort": "medium",
                        "clusters": [{"answer": "243", "count": 13, "weight": 12.4}],
                        "chain_counts": {"sampled": 16, "voted": 16, "truncated": 0, "unscored": 0},
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


class ChunkDelta(BaseModel):
    role: Literal["assistant"] | None = Field(default=None, description="In the first chunk only.")
    reasoning: str | None = Field(
        default=None,
        description="The next piece of the reasoning's summary (as vLLM's server names it); never a chain.",
    )
    content: str | None = Field(default=None, description="The answer (in one piece).")


class ChunkChoice(BaseModel):
    index: int = Field(default=0, ge=0, le=0, description="Always 0.")
    delta: ChunkDelta = Field(description="What this chunk adds.")
    finish_reason: Literal["stop", "length"] | None = Field(
        default=None, description="In the last chunk with a choice."
    )
    logprobs: None = Field(default=None, description="Always null.")


class ChatCompletionChunk(BaseModel):
    id: str = Field(description="chatcmpl- and the request id; the same in every chunk.")
    object: Literal["chat.completion.chunk"] = Field(default="chat.completion.chunk", description="Always this.")
    created: int = Field(ge=0, description="Unix time of the request; the same in every chunk.")
    model: str = Field(description="The served model's id.")
    choices: list[ChunkChoice] = Field(max_length=1, description="Empty in the usage chunk.")
    usage: ChatUsage | None = Field(default=None, description="In the last chunk, with stream_options.include_usage.")
    verification: Verification | None = Field(default=None, description="In the chunk that finishes the choice.")
