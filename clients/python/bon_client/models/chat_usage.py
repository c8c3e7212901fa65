from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.completion_tokens_details import CompletionTokensDetails





T = TypeVar("T", bound="ChatUsage")



@_attrs_define
class ChatUsage:
    """ 
        Attributes:
            completion_tokens (int): All generated tokens; the visible answer is the winning chain's last line, so all are
                reasoning tokens.
            completion_tokens_details (CompletionTokensDetails):
            prompt_tokens (int): Tokens of the prompt (shared by all chains).
            total_tokens (int): prompt_tokens + completion_tokens.
     """

    completion_tokens: int
    completion_tokens_details: CompletionTokensDetails
    prompt_tokens: int
    total_tokens: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.completion_tokens_details import CompletionTokensDetails # noqa: PLC0415
        completion_tokens = self.completion_tokens

        completion_tokens_details = self.completion_tokens_details.to_dict()

        prompt_tokens = self.prompt_tokens

        total_tokens = self.total_tokens


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "completion_tokens": completion_tokens,
            "completion_tokens_details": completion_tokens_details,
            "prompt_tokens": prompt_tokens,
            "total_tokens": total_tokens,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.completion_tokens_details import CompletionTokensDetails # noqa: PLC0415
        d = dict(src_dict)
        completion_tokens = d.pop("completion_tokens")

        completion_tokens_details = CompletionTokensDetails.from_dict(d.pop("completion_tokens_details"))




        prompt_tokens = d.pop("prompt_tokens")

        total_tokens = d.pop("total_tokens")

        chat_usage = cls(
            completion_tokens=completion_tokens,
            completion_tokens_details=completion_tokens_details,
            prompt_tokens=prompt_tokens,
            total_tokens=total_tokens,
        )


        chat_usage.additional_properties = d
        return chat_usage

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
