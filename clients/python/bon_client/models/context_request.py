from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="ContextRequest")



@_attrs_define
class ContextRequest:
    """ 
        Attributes:
            context (str): The note: each chain still running reads it at its next step boundary, and each chain started
                later before its first step (as the generator's format marks the user's notes).
     """

    context: str





    def to_dict(self) -> dict[str, Any]:
        context = self.context


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "context": context,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        context = d.pop("context")

        context_request = cls(
            context=context,
        )

        return context_request

