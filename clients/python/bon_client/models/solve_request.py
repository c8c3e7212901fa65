from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.solve_request_aggregation_type_0 import SolveRequestAggregationType0
from ..models.solve_request_checks_type_0_type_0 import SolveRequestChecksType0Type0
from ..models.solve_request_selection_type_0 import SolveRequestSelectionType0
from ..models.solve_request_strategy_type_0 import SolveRequestStrategyType0
from ..models.solve_request_summary_type_0 import SolveRequestSummaryType0
from ..models.solve_request_tools_type_0_type_0 import SolveRequestToolsType0Type0
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.budget_in import BudgetIn





T = TypeVar("T", bound="SolveRequest")



@_attrs_define
class SolveRequest:
    """ 
        Attributes:
            problem (str): The problem, in the task's own notation.
            aggregation (None | SolveRequestAggregationType0 | Unset): How step scores make a chain score.
            budget (BudgetIn | None | Unset): Limits on what the request may spend.
            checks (list[str] | None | SolveRequestChecksType0Type0 | Unset): Step checkers that read every step beside the
                reward model: `auto` (the default: those the server's format declares), `none`, or names (`numeric`: a
                calculator over arithmetic claims; `latex`: LaTeX equalities; `arith`: the shipped task's own grammar). A step
                found false has its score capped and its chain cannot make the answer verified.
            max_tokens (int | None | Unset): Token budget of each chain.
            n (int | None | Unset): Chains to sample (best-of-N); at most the server's max_n (64 by default).
            seed (int | None | Unset): Makes sampling, and so the answer, reproducible.
            selection (None | SolveRequestSelectionType0 | Unset): How the answer is chosen among the chains.
            store (bool | None | Unset): false: the server's audit record of this request keeps only metadata and hashes,
                not the problem, the hidden chains, the answer or the summary (kept by default).
            strategy (None | SolveRequestStrategyType0 | Unset): `fixed` (the default) samples n chains; `adaptive` samples
                at most n, a few at a time, cuts a chain at the first step the PRM rejects and stops when the PRM-weighted vote
                is decided; `particle_filtering` advances n partial chains a step at a time and draws them again after each step
                in proportion to the PRM's scores; `beam` keeps the n / width best partial chains after each step and extends
                each `width` ways (the server's BON_STEP_SEARCH__WIDTH).
            stream (bool | None | Unset): Answer with server-sent events: `progress` while the chains decode, `summary`
                deltas, then `result` (the non-streaming body) or `error` (the error envelope).
            summary (None | SolveRequestSummaryType0 | Unset): How long a summary of the reasoning to write: concise, auto
                (the default), detailed.
            system (None | str | Unset): A system prompt for this request, replacing the server's; empty for none. Only
                models prompted through a chat template have a system turn (the shipped arithmetic model has none).
            temperature (float | None | Unset): Sampling temperature.
            tools (list[str] | None | SolveRequestToolsType0Type0 | Unset): Tools the hidden chains call while they reason:
                `auto` (the default: the server's), `none`, or names (`calculator`: writes the value of the expression a step
                sets equal; `python`: runs a chain's code block in a sandbox, where the operator enabled it). A chain pauses at
                the tool's trigger, the result is appended, and it goes on. Never shown: the answer's `tools` counts the calls.
            top_p (float | None | Unset): Nucleus sampling, as OpenAI's and vLLM's top_p: each token of a chain is drawn
                from the most likely tokens whose probabilities add up to top_p (default 1: from all of them).
     """

    problem: str
    aggregation: None | SolveRequestAggregationType0 | Unset = UNSET
    budget: BudgetIn | None | Unset = UNSET
    checks: list[str] | None | SolveRequestChecksType0Type0 | Unset = UNSET
    max_tokens: int | None | Unset = UNSET
    n: int | None | Unset = UNSET
    seed: int | None | Unset = UNSET
    selection: None | SolveRequestSelectionType0 | Unset = UNSET
    store: bool | None | Unset = UNSET
    strategy: None | SolveRequestStrategyType0 | Unset = UNSET
    stream: bool | None | Unset = UNSET
    summary: None | SolveRequestSummaryType0 | Unset = UNSET
    system: None | str | Unset = UNSET
    temperature: float | None | Unset = UNSET
    tools: list[str] | None | SolveRequestToolsType0Type0 | Unset = UNSET
    top_p: float | None | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        from ..models.budget_in import BudgetIn # noqa: PLC0415
        problem = self.problem

        aggregation: None | str | Unset
        if isinstance(self.aggregation, Unset):
            aggregation = UNSET
        elif isinstance(self.aggregation, SolveRequestAggregationType0):
            aggregation = self.aggregation.value
        else:
            aggregation = self.aggregation

        budget: dict[str, Any] | None | Unset
        if isinstance(self.budget, Unset):
            budget = UNSET
        elif isinstance(self.budget, BudgetIn):
            budget = self.budget.to_dict()
        else:
            budget = self.budget

        checks: list[str] | None | str | Unset
        if isinstance(self.checks, Unset):
            checks = UNSET
        elif isinstance(self.checks, SolveRequestChecksType0Type0):
            checks = self.checks.value
        elif isinstance(self.checks, list):
            checks = self.checks


        else:
            checks = self.checks

        max_tokens: int | None | Unset
        if isinstance(self.max_tokens, Unset):
            max_tokens = UNSET
        else:
            max_tokens = self.max_tokens

        n: int | None | Unset
        if isinstance(self.n, Unset):
            n = UNSET
        else:
            n = self.n

        seed: int | None | Unset
        if isinstance(self.seed, Unset):
            seed = UNSET
        else:
            seed = self.seed

        selection: None | str | Unset
        if isinstance(self.selection, Unset):
            selection = UNSET
        elif isinstance(self.selection, SolveRequestSelectionType0):
            selection = self.selection.value
        else:
            selection = self.selection

        store: bool | None | Unset
        if isinstance(self.store, Unset):
            store = UNSET
        else:
            store = self.store

        strategy: None | str | Unset
        if isinstance(self.strategy, Unset):
            strategy = UNSET
        elif isinstance(self.strategy, SolveRequestStrategyType0):
            strategy = self.strategy.value
        else:
            strategy = self.strategy

        stream: bool | None | Unset
        if isinstance(self.stream, Unset):
            stream = UNSET
        else:
            stream = self.stream

        summary: None | str | Unset
        if isinstance(self.summary, Unset):
            summary = UNSET
        elif isinstance(self.summary, SolveRequestSummaryType0):
            summary = self.summary.value
        else:
            summary = self.summary

        system: None | str | Unset
        if isinstance(self.system, Unset):
            system = UNSET
        else:
            system = self.system

        temperature: float | None | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature

        tools: list[str] | None | str | Unset
        if isinstance(self.tools, Unset):
            tools = UNSET
        elif isinstance(self.tools, SolveRequestToolsType0Type0):
            tools = self.tools.value
        elif isinstance(self.tools, list):
            tools = self.tools


        else:
            tools = self.tools

        top_p: float | None | Unset
        if isinstance(self.top_p, Unset):
            top_p = UNSET
        else:
            top_p = self.top_p


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "problem": problem,
        })
        if aggregation is not UNSET:
            field_dict["aggregation"] = aggregation
        if budget is not UNSET:
            field_dict["budget"] = budget
        if checks is not UNSET:
            field_dict["checks"] = checks
        if max_tokens is not UNSET:
            field_dict["max_tokens"] = max_tokens
        if n is not UNSET:
            field_dict["n"] = n
        if seed is not UNSET:
            field_dict["seed"] = seed
        if selection is not UNSET:
            field_dict["selection"] = selection
        if store is not UNSET:
            field_dict["store"] = store
        if strategy is not UNSET:
            field_dict["strategy"] = strategy
        if stream is not UNSET:
            field_dict["stream"] = stream
        if summary is not UNSET:
            field_dict["summary"] = summary
        if system is not UNSET:
            field_dict["system"] = system
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if tools is not UNSET:
            field_dict["tools"] = tools
        if top_p is not UNSET:
            field_dict["top_p"] = top_p

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.budget_in import BudgetIn # noqa: PLC0415
        d = dict(src_dict)
        problem = d.pop("problem")

        def _parse_aggregation(data: object) -> None | SolveRequestAggregationType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                aggregation_type_0 = SolveRequestAggregationType0(data)



                return aggregation_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SolveRequestAggregationType0 | Unset, data)

        aggregation = _parse_aggregation(d.pop("aggregation", UNSET))


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


        def _parse_checks(data: object) -> list[str] | None | SolveRequestChecksType0Type0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                checks_type_0_type_0 = SolveRequestChecksType0Type0(data)



                return checks_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                checks_type_0_type_1 = cast(list[str], data)

                return checks_type_0_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | SolveRequestChecksType0Type0 | Unset, data)

        checks = _parse_checks(d.pop("checks", UNSET))


        def _parse_max_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_tokens = _parse_max_tokens(d.pop("max_tokens", UNSET))


        def _parse_n(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n = _parse_n(d.pop("n", UNSET))


        def _parse_seed(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seed = _parse_seed(d.pop("seed", UNSET))


        def _parse_selection(data: object) -> None | SolveRequestSelectionType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                selection_type_0 = SolveRequestSelectionType0(data)



                return selection_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SolveRequestSelectionType0 | Unset, data)

        selection = _parse_selection(d.pop("selection", UNSET))


        def _parse_store(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        store = _parse_store(d.pop("store", UNSET))


        def _parse_strategy(data: object) -> None | SolveRequestStrategyType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                strategy_type_0 = SolveRequestStrategyType0(data)



                return strategy_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SolveRequestStrategyType0 | Unset, data)

        strategy = _parse_strategy(d.pop("strategy", UNSET))


        def _parse_stream(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        stream = _parse_stream(d.pop("stream", UNSET))


        def _parse_summary(data: object) -> None | SolveRequestSummaryType0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                summary_type_0 = SolveRequestSummaryType0(data)



                return summary_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SolveRequestSummaryType0 | Unset, data)

        summary = _parse_summary(d.pop("summary", UNSET))


        def _parse_system(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        system = _parse_system(d.pop("system", UNSET))


        def _parse_temperature(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))


        def _parse_tools(data: object) -> list[str] | None | SolveRequestToolsType0Type0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tools_type_0_type_0 = SolveRequestToolsType0Type0(data)



                return tools_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tools_type_0_type_1 = cast(list[str], data)

                return tools_type_0_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | SolveRequestToolsType0Type0 | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))


        def _parse_top_p(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        top_p = _parse_top_p(d.pop("top_p", UNSET))


        solve_request = cls(
            problem=problem,
            aggregation=aggregation,
            budget=budget,
            checks=checks,
            max_tokens=max_tokens,
            n=n,
            seed=seed,
            selection=selection,
            store=store,
            strategy=strategy,
            stream=stream,
            summary=summary,
            system=system,
            temperature=temperature,
            tools=tools,
            top_p=top_p,
        )

        return solve_request

