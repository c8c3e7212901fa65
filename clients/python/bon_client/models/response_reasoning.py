from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.response_reasoning_effort import ResponseReasoningEffort
from ..models.response_reasoning_summary_type_0 import ResponseReasoningSummaryType0
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ResponseReasoning")



@_attrs_define
class ResponseReasoning:
    """ 
        Attributes:
            effort (ResponseReasoningEffort): The effort the request ran at.
            summary (None | ResponseReasoningSummaryType0 | Unset): As requested.
     """

    effort: ResponseReasoningEffort
    summary: None | ResponseReasoningSummaryType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        effort = self.effort.value

        summary: None | str | Unset
        if isinstance(self.summary, Unset):
            summary = UNSET
        elif isinstance(self.summary, ResponseReasoningSummaryType0):
            summary = self.summary.value
        else:
            summary = self.summary


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "effort": effort,
        })
        if summary is not UNSET:
            field_dict["summary"] = summary

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        effort = ResponseReasoningEffort(d.pop("effort"))




        def _parse_summary(data: object) -> None | ResponseReasoningSummaryType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                summary_type_0 = ResponseReasoningSummaryType0(data)



                return summary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ResponseReasoningSummaryType0 | Unset, data)

        summary = _parse_summary(d.pop("summary", UNSET))


        response_reasoning = cls(
            effort=effort,
            summary=summary,
        )


        response_reasoning.additional_properties = d
        return response_reasoning

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
