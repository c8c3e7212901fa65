from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.tool_calls_out import ToolCallsOut





T = TypeVar("T", bound="ToolsOut")



@_attrs_define
class ToolsOut:
    """ 
        Attributes:
            calls (list[ToolCallsOut]): Calls by tool.
            chains_calling (int): Chains that called a tool at least once.
            error (int): Calls whose error the chain read instead (and went on).
            limit (int): Calls killed at a sandbox limit (time, memory, output).
            ok (int): Calls that gave a result.
            refused (int): Calls over this request's limit: nothing was appended.
            tools (list[str]): The tools the chains could call.
     """

    calls: list[ToolCallsOut]
    chains_calling: int
    error: int
    limit: int
    ok: int
    refused: int
    tools: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.tool_calls_out import ToolCallsOut # noqa: PLC0415
        calls = []
        for calls_item_data in self.calls:
            calls_item = calls_item_data.to_dict()
            calls.append(calls_item)



        chains_calling = self.chains_calling

        error = self.error

        limit = self.limit

        ok = self.ok

        refused = self.refused

        tools = self.tools




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "calls": calls,
            "chains_calling": chains_calling,
            "error": error,
            "limit": limit,
            "ok": ok,
            "refused": refused,
            "tools": tools,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.tool_calls_out import ToolCallsOut # noqa: PLC0415
        d = dict(src_dict)
        calls = []
        _calls = d.pop("calls")
        for calls_item_data in (_calls):
            calls_item = ToolCallsOut.from_dict(calls_item_data)



            calls.append(calls_item)


        chains_calling = d.pop("chains_calling")

        error = d.pop("error")

        limit = d.pop("limit")

        ok = d.pop("ok")

        refused = d.pop("refused")

        tools = cast(list[str], d.pop("tools"))


        tools_out = cls(
            calls=calls,
            chains_calling=chains_calling,
            error=error,
            limit=limit,
            ok=ok,
            refused=refused,
            tools=tools,
        )


        tools_out.additional_properties = d
        return tools_out

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
