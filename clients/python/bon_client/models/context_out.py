from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ContextOut")



@_attrs_define
class ContextOut:
    """ 
        Attributes:
            chains_reached (int): Chains that read every note.
            chains_set_aside (int): Chains that ended before a note the others read: they do not vote (where no chain read
                every note, every chain votes as without them).
            notes (int): The client's notes (POST /solve/{request_id}/context, or a continuation's).
     """

    chains_reached: int
    chains_set_aside: int
    notes: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        chains_reached = self.chains_reached

        chains_set_aside = self.chains_set_aside

        notes = self.notes


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chains_reached": chains_reached,
            "chains_set_aside": chains_set_aside,
            "notes": notes,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        chains_reached = d.pop("chains_reached")

        chains_set_aside = d.pop("chains_set_aside")

        notes = d.pop("notes")

        context_out = cls(
            chains_reached=chains_reached,
            chains_set_aside=chains_set_aside,
            notes=notes,
        )


        context_out.additional_properties = d
        return context_out

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
