from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import Literal, cast






T = TypeVar("T", bound="SummaryText")



@_attrs_define
class SummaryText:
    """ 
        Attributes:
            text (str): A summary of the winning chain's reasoning; never the chain itself.
            type_ (Literal['summary_text'] | Unset): Always 'summary_text'. Default: 'summary_text'.
     """

    text: str
    type_: Literal['summary_text'] | Unset = 'summary_text'
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        text = self.text

        type_ = self.type_


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "text": text,
        })
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        text = d.pop("text")

        type_ = cast(Literal['summary_text'] | Unset , d.pop("type", UNSET))
        if type_ != 'summary_text'and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'summary_text', got '{type_}'")

        summary_text = cls(
            text=text,
            type_=type_,
        )


        summary_text.additional_properties = d
        return summary_text

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
