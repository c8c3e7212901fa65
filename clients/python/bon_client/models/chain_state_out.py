from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast






T = TypeVar("T", bound="ChainStateOut")



@_attrs_define
class ChainStateOut:
    """ 
        Attributes:
            checked (int): Records checked (from the chain's start, or the last sweep's anchor).
            head (str): The hash of the last record checked.
            ok (bool): Every record up to it links to the one before and matches its hash.
            problems (list[str]): What does not hold, record by record (empty when ok).
            through_seq (int): The last record checked.
     """

    checked: int
    head: str
    ok: bool
    problems: list[str]
    through_seq: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        checked = self.checked

        head = self.head

        ok = self.ok

        problems = self.problems



        through_seq = self.through_seq


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "checked": checked,
            "head": head,
            "ok": ok,
            "problems": problems,
            "through_seq": through_seq,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        checked = d.pop("checked")

        head = d.pop("head")

        ok = d.pop("ok")

        problems = cast(list[str], d.pop("problems"))


        through_seq = d.pop("through_seq")

        chain_state_out = cls(
            checked=checked,
            head=head,
            ok=ok,
            problems=problems,
            through_seq=through_seq,
        )


        chain_state_out.additional_properties = d
        return chain_state_out

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
