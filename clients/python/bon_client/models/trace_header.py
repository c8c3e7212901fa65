from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.trace_header_kind import TraceHeaderKind
from typing import cast






T = TypeVar("T", bound="TraceHeader")



@_attrs_define
class TraceHeader:
    """ 
        Attributes:
            created_at (str): When the record was made, UTC.
            key_id (str): The id of the key that asked.
            kind (TraceHeaderKind): What the record is of (see TraceRecord).
            request_id (None | str): The request id, when the record is of one.
            seq (int): The record's place in the hash chain.
            stored (bool): Whether the texts were kept (false: hashes only).
     """

    created_at: str
    key_id: str
    kind: TraceHeaderKind
    request_id: None | str
    seq: int
    stored: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        key_id = self.key_id

        kind = self.kind.value

        request_id: None | str
        request_id = self.request_id

        seq = self.seq

        stored = self.stored


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "key_id": key_id,
            "kind": kind,
            "request_id": request_id,
            "seq": seq,
            "stored": stored,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        key_id = d.pop("key_id")

        kind = TraceHeaderKind(d.pop("kind"))




        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))


        seq = d.pop("seq")

        stored = d.pop("stored")

        trace_header = cls(
            created_at=created_at,
            key_id=key_id,
            kind=kind,
            request_id=request_id,
            seq=seq,
            stored=stored,
        )


        trace_header.additional_properties = d
        return trace_header

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
