from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="BudgetIn")



@_attrs_define
class BudgetIn:
    """ 
        Attributes:
            max_chains (int | None | Unset): Chains to start at most (n).
            max_latency_ms (float | None | Unset): Sampling stops this long after it started; the chains done by then vote.
            max_reasoning_tokens (int | None | Unset): Hidden reasoning tokens, all chains together; sampling stops when
                spent.
     """

    max_chains: int | None | Unset = UNSET
    max_latency_ms: float | None | Unset = UNSET
    max_reasoning_tokens: int | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        max_chains: int | None | Unset
        if isinstance(self.max_chains, Unset):
            max_chains = UNSET
        else:
            max_chains = self.max_chains

        max_latency_ms: float | None | Unset
        if isinstance(self.max_latency_ms, Unset):
            max_latency_ms = UNSET
        else:
            max_latency_ms = self.max_latency_ms

        max_reasoning_tokens: int | None | Unset
        if isinstance(self.max_reasoning_tokens, Unset):
            max_reasoning_tokens = UNSET
        else:
            max_reasoning_tokens = self.max_reasoning_tokens


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if max_chains is not UNSET:
            field_dict["max_chains"] = max_chains
        if max_latency_ms is not UNSET:
            field_dict["max_latency_ms"] = max_latency_ms
        if max_reasoning_tokens is not UNSET:
            field_dict["max_reasoning_tokens"] = max_reasoning_tokens

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        def _parse_max_chains(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_chains = _parse_max_chains(d.pop("max_chains", UNSET))


        def _parse_max_latency_ms(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        max_latency_ms = _parse_max_latency_ms(d.pop("max_latency_ms", UNSET))


        def _parse_max_reasoning_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_reasoning_tokens = _parse_max_reasoning_tokens(d.pop("max_reasoning_tokens", UNSET))


        budget_in = cls(
            max_chains=max_chains,
            max_latency_ms=max_latency_ms,
            max_reasoning_tokens=max_reasoning_tokens,
        )

        return budget_in

