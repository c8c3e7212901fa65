from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="AnswerClusterOut")



@_attrs_define
class AnswerClusterOut:
    """ 
        Attributes:
            answer (str): The answer of the cluster (chains whose answers are mathematically equal).
            count (int): Chains that gave this answer.
            weight (float): Summed chain scores of the cluster for the selection method.
            vetoed (int | Unset): Of its chains, those with a step a step checker found false. Default: 0.
     """

    answer: str
    count: int
    weight: float
    vetoed: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        answer = self.answer

        count = self.count

        weight = self.weight

        vetoed = self.vetoed


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "answer": answer,
            "count": count,
            "weight": weight,
        })
        if vetoed is not UNSET:
            field_dict["vetoed"] = vetoed

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        answer = d.pop("answer")

        count = d.pop("count")

        weight = d.pop("weight")

        vetoed = d.pop("vetoed", UNSET)

        answer_cluster_out = cls(
            answer=answer,
            count=count,
            weight=weight,
            vetoed=vetoed,
        )


        answer_cluster_out.additional_properties = d
        return answer_cluster_out

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
