from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset







T = TypeVar("T", bound="TimingsOut")



@_attrs_define
class TimingsOut:
    """ 
        Attributes:
            generate_ms (float): Sampling the N chains.
            score_ms (float): Scoring every step of every chain.
            select_ms (float): Aggregation, selection and summary.
            total_ms (float): The whole pipeline.
     """

    generate_ms: float
    score_ms: float
    select_ms: float
    total_ms: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        generate_ms = self.generate_ms

        score_ms = self.score_ms

        select_ms = self.select_ms

        total_ms = self.total_ms


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "generate_ms": generate_ms,
            "score_ms": score_ms,
            "select_ms": select_ms,
            "total_ms": total_ms,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        generate_ms = d.pop("generate_ms")

        score_ms = d.pop("score_ms")

        select_ms = d.pop("select_ms")

        total_ms = d.pop("total_ms")

        timings_out = cls(
            generate_ms=generate_ms,
            score_ms=score_ms,
            select_ms=select_ms,
            total_ms=total_ms,
        )


        timings_out.additional_properties = d
        return timings_out

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
