from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast

if TYPE_CHECKING:
  from ..models.summary_text import SummaryText





T = TypeVar("T", bound="ReasoningItem")



@_attrs_define
class ReasoningItem:
    """ 
        Attributes:
            id (str): rs_ and the request id.
            summary (list[SummaryText]): One summary text when one was asked for, else empty.
            type_ (Literal['reasoning'] | Unset): Always 'reasoning'. Default: 'reasoning'.
     """

    id: str
    summary: list[SummaryText]
    type_: Literal['reasoning'] | Unset = 'reasoning'
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.summary_text import SummaryText # noqa: PLC0415
        id = self.id

        summary = []
        for summary_item_data in self.summary:
            summary_item = summary_item_data.to_dict()
            summary.append(summary_item)



        type_ = self.type_


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "id": id,
            "summary": summary,
        })
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.summary_text import SummaryText # noqa: PLC0415
        d = dict(src_dict)
        id = d.pop("id")

        summary = []
        _summary = d.pop("summary")
        for summary_item_data in (_summary):
            summary_item = SummaryText.from_dict(summary_item_data)



            summary.append(summary_item)


        type_ = cast(Literal['reasoning'] | Unset , d.pop("type", UNSET))
        if type_ != 'reasoning'and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'reasoning', got '{type_}'")

        reasoning_item = cls(
            id=id,
            summary=summary,
            type_=type_,
        )


        reasoning_item.additional_properties = d
        return reasoning_item

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
