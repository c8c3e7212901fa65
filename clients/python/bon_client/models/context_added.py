from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ContextAdded")



@_attrs_define
class ContextAdded:
    """ 
        Attributes:
            chains_running (int): Chains that had not ended when the note came: they will read it.
            notes (int): The request's notes so far, this one included.
            request_id (str): The request the note was added to.
     """

    chains_running: int
    notes: int
    request_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        chains_running = self.chains_running

        notes = self.notes

        request_id = self.request_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chains_running": chains_running,
            "notes": notes,
            "request_id": request_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        chains_running = d.pop("chains_running")

        notes = d.pop("notes")

        request_id = d.pop("request_id")

        context_added = cls(
            chains_running=chains_running,
            notes=notes,
            request_id=request_id,
        )


        context_added.additional_properties = d
        return context_added

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
