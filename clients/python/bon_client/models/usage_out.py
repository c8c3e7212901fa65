from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="UsageOut")



@_attrs_define
class UsageOut:
    """ 
        Attributes:
            prompt_tokens (int): Tokens of the prompt (shared by all chains).
            reasoning_tokens (int): Hidden reasoning tokens, summed over all N chains.
            scored_tokens (int): Tokens read by the reward model(s).
            tool_calls (int | Unset): Tool calls the hidden chains made (see `tools`). Default: 0.
     """

    prompt_tokens: int
    reasoning_tokens: int
    scored_tokens: int
    tool_calls: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        prompt_tokens = self.prompt_tokens

        reasoning_tokens = self.reasoning_tokens

        scored_tokens = self.scored_tokens

        tool_calls = self.tool_calls


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "prompt_tokens": prompt_tokens,
            "reasoning_tokens": reasoning_tokens,
            "scored_tokens": scored_tokens,
        })
        if tool_calls is not UNSET:
            field_dict["tool_calls"] = tool_calls

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        prompt_tokens = d.pop("prompt_tokens")

        reasoning_tokens = d.pop("reasoning_tokens")

        scored_tokens = d.pop("scored_tokens")

        tool_calls = d.pop("tool_calls", UNSET)

        usage_out = cls(
            prompt_tokens=prompt_tokens,
            reasoning_tokens=reasoning_tokens,
            scored_tokens=scored_tokens,
            tool_calls=tool_calls,
        )


        usage_out.additional_properties = d
        return usage_out

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
