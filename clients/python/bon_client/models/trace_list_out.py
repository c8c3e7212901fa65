from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.trace_header import TraceHeader





T = TypeVar("T", bound="TraceListOut")



@_attrs_define
class TraceListOut:
    """ 
        Attributes:
            next_before_seq (int | None): Pass as before_seq for the next page; null on the last one.
            records (list[TraceHeader]): Records, newest first; read one with GET /admin/traces/{id}.
     """

    next_before_seq: int | None
    records: list[TraceHeader]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.trace_header import TraceHeader # noqa: PLC0415
        next_before_seq: int | None
        next_before_seq = self.next_before_seq

        records = []
        for records_item_data in self.records:
            records_item = records_item_data.to_dict()
            records.append(records_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "next_before_seq": next_before_seq,
            "records": records,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.trace_header import TraceHeader # noqa: PLC0415
        d = dict(src_dict)
        def _parse_next_before_seq(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        next_before_seq = _parse_next_before_seq(d.pop("next_before_seq"))


        records = []
        _records = d.pop("records")
        for records_item_data in (_records):
            records_item = TraceHeader.from_dict(records_item_data)



            records.append(records_item)


        trace_list_out = cls(
            next_before_seq=next_before_seq,
            records=records,
        )


        trace_list_out.additional_properties = d
        return trace_list_out

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
