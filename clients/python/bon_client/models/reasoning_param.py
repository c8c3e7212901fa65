from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.reasoning_param_effort_type_0 import ReasoningParamEffortType0
from ..models.reasoning_param_summary_type_0 import ReasoningParamSummaryType0
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="ReasoningParam")



@_attrs_define
class ReasoningParam:
    """ 
        Attributes:
            effort (None | ReasoningParamEffortType0 | Unset): minimal/low/medium/high: chains sampled and verified.
            summary (None | ReasoningParamSummaryType0 | Unset): Return a summary of the reasoning (auto = detailed here);
                none when absent.
     """

    effort: None | ReasoningParamEffortType0 | Unset = UNSET
    summary: None | ReasoningParamSummaryType0 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        effort: None | str | Unset
        if isinstance(self.effort, Unset):
            effort = UNSET
        elif isinstance(self.effort, ReasoningParamEffortType0):
            effort = self.effort.value
        else:
            effort = self.effort

        summary: None | str | Unset
        if isinstance(self.summary, Unset):
            summary = UNSET
        elif isinstance(self.summary, ReasoningParamSummaryType0):
            summary = self.summary.value
        else:
            summary = self.summary


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
        })
        if effort is not UNSET:
            field_dict["effort"] = effort
        if summary is not UNSET:
            field_dict["summary"] = summary

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_effort(data: object) -> None | ReasoningParamEffortType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                effort_type_0 = ReasoningParamEffortType0(data)



                return effort_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReasoningParamEffortType0 | Unset, data)

        effort = _parse_effort(d.pop("effort", UNSET))


        def _parse_summary(data: object) -> None | ReasoningParamSummaryType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                summary_type_0 = ReasoningParamSummaryType0(data)



                return summary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReasoningParamSummaryType0 | Unset, data)

        summary = _parse_summary(d.pop("summary", UNSET))


        reasoning_param = cls(
            effort=effort,
            summary=summary,
        )


        reasoning_param.additional_properties = d
        return reasoning_param

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
