"""What the `/v1` routes speak alike: OpenAI's error shape, its model listing, and what both
requests declare."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.api.schemas.request_base import RequestBase
from app.config import WIRE_MAX_TEMPERATURE


class OpenAIErrorDetail(BaseModel):
    message: str = Field(description="What went wrong, for a person.")
    type: str = Field(description="invalid_request_error, rate_limit_error, server_error, …")
    param: str | None = Field(default=None, description="The request parameter at fault, if one is.")
    code: str | None = Field(default=None, description="A stable machine-readable code, e.g. model_not_found.")


class OpenAIError(BaseModel):
    error: OpenAIErrorDetail


class ModelCard(BaseModel):
    id: str = Field(description="The model id to send as `model`.")
    object: Literal["model"] = Field(default="model", description="Always 'model'.")
    created: int = Field(ge=0, description="Unix time the service started serving it.")
    owned_by: str = Field(default="bon", description="Who serves it.")


class ModelList(BaseModel):
    object: Literal["list"] = Field(default="list", description="Always 'list'.")
    data: list[ModelCard] = Field(description="The served models (one: the generator).")


class OpenAIRequest(RequestBase):
    """What both `/v1` requests declare alike; other fields the SDKs may send are ignored."""

    model_config = ConfigDict(extra="ignore")

    model: str = Field(description="The served model's id (GET /v1/models).")
    temperature: float | None = Field(
        default=None, ge=0.0, le=WIRE_MAX_TEMPERATURE, description="Sampling temperature of the chains."
    )
