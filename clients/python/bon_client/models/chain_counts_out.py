from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ChainCountsOut")



@_attrs_define
class ChainCountsOut:
    """ 
        Attributes:
            sampled (int): Chains sampled.
            truncated (int): Chains cut off by their token budget; they do not vote.
            unscored (int): Chains too long for the reward model to read; they do not vote.
            voted (int): Chains that voted: finished, read by the reward model, with an answer.
     """

    sampled: int
    truncated: int
    unscored: int
    voted: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        sampled = self.sampled

        truncated = self.truncated

        unscored = self.unscored

        voted = self.voted


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "sampled": sampled,
            "truncated": truncated,
            "unscored": unscored,
            "voted": voted,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        sampled = d.pop("sampled")

        truncated = d.pop("truncated")

        unscored = d.pop("unscored")

        voted = d.pop("voted")

        chain_counts_out = cls(
            sampled=sampled,
            truncated=truncated,
            unscored=unscored,
            voted=voted,
        )


        chain_counts_out.additional_properties = d
        return chain_counts_out

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
