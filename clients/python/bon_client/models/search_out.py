from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.search_out_stop_reason_type_0 import SearchOutStopReasonType0
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="SearchOut")



@_attrs_define
class SearchOut:
    """ 
        Attributes:
            chains_finished (int): Chains that ended on their own.
            chains_pruned (int): Chains cut at a step the PRM rejected.
            chains_started (int): Chains started.
            chains_truncated (int): Chains cut off by their token budget.
            reasoning_tokens (int): Hidden reasoning tokens decoded, all chains.
            stop_reason (None | SearchOutStopReasonType0): Why sampling stopped: `certain` (no chain left could change the
                answer), `decided` (the vote's margin and share rule), or the budget that ran out (`max_chains`: every chain
                allowed has ended).
            branches (int | Unset): particle_filtering and beam: generator requests, each extending one partial chain (from
                the engine's prefix cache) by one step, one or more ways. Default: 0.
            resamplings (int | Unset): particle_filtering: times the population was drawn again by the PRM's scores.
                Default: 0.
            steps (int | Unset): particle_filtering and beam: rounds of one step each. Default: 0.
     """

    chains_finished: int
    chains_pruned: int
    chains_started: int
    chains_truncated: int
    reasoning_tokens: int
    stop_reason: None | SearchOutStopReasonType0
    branches: int | Unset = 0
    resamplings: int | Unset = 0
    steps: int | Unset = 0
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        chains_finished = self.chains_finished

        chains_pruned = self.chains_pruned

        chains_started = self.chains_started

        chains_truncated = self.chains_truncated

        reasoning_tokens = self.reasoning_tokens

        stop_reason: None | str
        if isinstance(self.stop_reason, SearchOutStopReasonType0):
            stop_reason = self.stop_reason.value
        else:
            stop_reason = self.stop_reason

        branches = self.branches

        resamplings = self.resamplings

        steps = self.steps


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chains_finished": chains_finished,
            "chains_pruned": chains_pruned,
            "chains_started": chains_started,
            "chains_truncated": chains_truncated,
            "reasoning_tokens": reasoning_tokens,
            "stop_reason": stop_reason,
        })
        if branches is not UNSET:
            field_dict["branches"] = branches
        if resamplings is not UNSET:
            field_dict["resamplings"] = resamplings
        if steps is not UNSET:
            field_dict["steps"] = steps

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        chains_finished = d.pop("chains_finished")

        chains_pruned = d.pop("chains_pruned")

        chains_started = d.pop("chains_started")

        chains_truncated = d.pop("chains_truncated")

        reasoning_tokens = d.pop("reasoning_tokens")

        def _parse_stop_reason(data: object) -> None | SearchOutStopReasonType0:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                stop_reason_type_0 = SearchOutStopReasonType0(data)



                return stop_reason_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SearchOutStopReasonType0, data)

        stop_reason = _parse_stop_reason(d.pop("stop_reason"))


        branches = d.pop("branches", UNSET)

        resamplings = d.pop("resamplings", UNSET)

        steps = d.pop("steps", UNSET)

        search_out = cls(
            chains_finished=chains_finished,
            chains_pruned=chains_pruned,
            chains_started=chains_started,
            chains_truncated=chains_truncated,
            reasoning_tokens=reasoning_tokens,
            stop_reason=stop_reason,
            branches=branches,
            resamplings=resamplings,
            steps=steps,
        )


        search_out.additional_properties = d
        return search_out

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
