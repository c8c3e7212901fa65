from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.continue_request_strategy_type_0 import ContinueRequestStrategyType0
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.budget_in import BudgetIn





T = TypeVar("T", bound="ContinueRequest")



@_attrs_define
class ContinueRequest:
    """ 
        Attributes:
            budget (BudgetIn | None | Unset): What this continuation may spend: `max_chains` more chains at most (by default
                the first request's n), and optionally reasoning tokens and time.
            context (None | str | Unset): A note every new chain reads before its first step (written as the generator's
                format marks the user's notes). The chains kept from before the note vote only where no new chain reads it
                through.
            strategy (ContinueRequestStrategyType0 | None | Unset): How the new chains are sampled; by default as the first
                request was.
            stream (bool | None | Unset): Answer with server-sent events, as /solve does.
     """

    budget: BudgetIn | None | Unset = UNSET
    context: None | str | Unset = UNSET
    strategy: ContinueRequestStrategyType0 | None | Unset = UNSET
    stream: bool | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.budget_in import BudgetIn # noqa: PLC0415
        budget: dict[str, Any] | None | Unset
        if isinstance(self.budget, Unset):
            budget = UNSET
        elif isinstance(self.budget, BudgetIn):
            budget = self.budget.to_dict()
        else:
            budget = self.budget

        context: None | str | Unset
        if isinstance(self.context, Unset):
            context = UNSET
        else:
            context = self.context

        strategy: None | str | Unset
        if isinstance(self.strategy, Unset):
            strategy = UNSET
        elif isinstance(self.strategy, ContinueRequestStrategyType0):
            strategy = self.strategy.value
        else:
            strategy = self.strategy

        stream: bool | None | Unset
        if isinstance(self.stream, Unset):
            stream = UNSET
        else:
            stream = self.stream


        field_dict: dict[str, Any] = {}

        field_dict.update({
        })
        if budget is not UNSET:
            field_dict["budget"] = budget
        if context is not UNSET:
            field_dict["context"] = context
        if strategy is not UNSET:
            field_dict["strategy"] = strategy
        if stream is not UNSET:
            field_dict["stream"] = stream

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.budget_in import BudgetIn # noqa: PLC0415
        d = dict(src_dict)
        def _parse_budget(data: object) -> BudgetIn | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                budget_type_0 = BudgetIn.from_dict(data)



                return budget_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BudgetIn | None | Unset, data)

        budget = _parse_budget(d.pop("budget", UNSET))


        def _parse_context(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        context = _parse_context(d.pop("context", UNSET))


        def _parse_strategy(data: object) -> ContinueRequestStrategyType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                strategy_type_0 = ContinueRequestStrategyType0(data)



                return strategy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContinueRequestStrategyType0 | None | Unset, data)

        strategy = _parse_strategy(d.pop("strategy", UNSET))


        def _parse_stream(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        stream = _parse_stream(d.pop("stream", UNSET))


        continue_request = cls(
            budget=budget,
            context=context,
            strategy=strategy,
            stream=stream,
        )

        return continue_request

