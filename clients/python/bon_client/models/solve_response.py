from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.solve_response_aggregation import SolveResponseAggregation
from ..models.solve_response_selection import SolveResponseSelection
from ..models.solve_response_step_checks_item import SolveResponseStepChecksItem
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.answer_cluster_out import AnswerClusterOut
  from ..models.chain_counts_out import ChainCountsOut
  from ..models.checks_out import ChecksOut
  from ..models.context_out import ContextOut
  from ..models.search_out import SearchOut
  from ..models.timings_out import TimingsOut
  from ..models.tools_out import ToolsOut
  from ..models.usage_out import UsageOut





T = TypeVar("T", bound="SolveResponse")



@_attrs_define
class SolveResponse:
    """ 
        Attributes:
            aggregation (SolveResponseAggregation): How step scores made chain scores.
            answer (None | str): The selected final answer; null when no chain reached one.
            chain_counts (ChainCountsOut):
            clusters (list[AnswerClusterOut]): Answer clusters, heaviest first.
            confidence (float): The probability that the answer is right, fitted on held-out problems (when `calibrated`);
                otherwise the winning cluster's share of the selection weight.
            n (int): Chains sampled.
            request_id (str): Identifies the request in logs and metrics.
            selection (SolveResponseSelection): How the answer was chosen.
            step_scores (list[float]): The winning chain's per-step PRM scores, P(step is right).
            summary (str): A short summary of the winning chain's reasoning; never the chain itself.
            timings (TimingsOut):
            usage (UsageOut):
            calibrated (bool | Unset): Whether `confidence` is a calibrated probability (the reward model ships one).
                Default: False.
            checks (ChecksOut | None | Unset): What the step checkers found (when any ran).
            context (ContextOut | None | Unset): What the client's notes reached (when it added any).
            search (None | SearchOut | Unset): What the sampling spent and why it stopped: with a strategy other than
                `fixed`, or a budget.
            step_checks (list[SolveResponseStepChecksItem] | Unset): The step checkers' verdict on each of the winning
                chain's steps, beside `step_scores` (empty when none ran): pass, fail (its score is capped), none (nothing to
                check).
            tools (None | ToolsOut | Unset): What the chains' tool calls came to (counts only; when tools were on).
            verified (bool | Unset): An answer whose confidence reached the server's threshold. False: treat the answer as a
                guess (the problem may be outside what the models know); `POST /solve/{request_id}/continue` thinks longer.
                Default: False.
     """

    aggregation: SolveResponseAggregation
    answer: None | str
    chain_counts: ChainCountsOut
    clusters: list[AnswerClusterOut]
    confidence: float
    n: int
    request_id: str
    selection: SolveResponseSelection
    step_scores: list[float]
    summary: str
    timings: TimingsOut
    usage: UsageOut
    calibrated: bool | Unset = False
    checks: ChecksOut | None | Unset = UNSET
    context: ContextOut | None | Unset = UNSET
    search: None | SearchOut | Unset = UNSET
    step_checks: list[SolveResponseStepChecksItem] | Unset = UNSET
    tools: None | ToolsOut | Unset = UNSET
    verified: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.answer_cluster_out import AnswerClusterOut # noqa: PLC0415
        from ..models.chain_counts_out import ChainCountsOut # noqa: PLC0415
        from ..models.checks_out import ChecksOut # noqa: PLC0415
        from ..models.context_out import ContextOut # noqa: PLC0415
        from ..models.search_out import SearchOut # noqa: PLC0415
        from ..models.timings_out import TimingsOut # noqa: PLC0415
        from ..models.tools_out import ToolsOut # noqa: PLC0415
        from ..models.usage_out import UsageOut # noqa: PLC0415
        aggregation = self.aggregation.value

        answer: None | str
        answer = self.answer

        chain_counts = self.chain_counts.to_dict()

        clusters = []
        for clusters_item_data in self.clusters:
            clusters_item = clusters_item_data.to_dict()
            clusters.append(clusters_item)



        confidence = self.confidence

        n = self.n

        request_id = self.request_id

        selection = self.selection.value

        step_scores = self.step_scores



        summary = self.summary

        timings = self.timings.to_dict()

        usage = self.usage.to_dict()

        calibrated = self.calibrated

        checks: dict[str, Any] | None | Unset
        if isinstance(self.checks, Unset):
            checks = UNSET
        elif isinstance(self.checks, ChecksOut):
            checks = self.checks.to_dict()
        else:
            checks = self.checks

        context: dict[str, Any] | None | Unset
        if isinstance(self.context, Unset):
            context = UNSET
        elif isinstance(self.context, ContextOut):
            context = self.context.to_dict()
        else:
            context = self.context

        search: dict[str, Any] | None | Unset
        if isinstance(self.search, Unset):
            search = UNSET
        elif isinstance(self.search, SearchOut):
            search = self.search.to_dict()
        else:
            search = self.search

        step_checks: list[str] | Unset = UNSET
        if not isinstance(self.step_checks, Unset):
            step_checks = []
            for step_checks_item_data in self.step_checks:
                step_checks_item = step_checks_item_data.value
                step_checks.append(step_checks_item)



        tools: dict[str, Any] | None | Unset
        if isinstance(self.tools, Unset):
            tools = UNSET
        elif isinstance(self.tools, ToolsOut):
            tools = self.tools.to_dict()
        else:
            tools = self.tools

        verified = self.verified


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "aggregation": aggregation,
            "answer": answer,
            "chain_counts": chain_counts,
            "clusters": clusters,
            "confidence": confidence,
            "n": n,
            "request_id": request_id,
            "selection": selection,
            "step_scores": step_scores,
            "summary": summary,
            "timings": timings,
            "usage": usage,
        })
        if calibrated is not UNSET:
            field_dict["calibrated"] = calibrated
        if checks is not UNSET:
            field_dict["checks"] = checks
        if context is not UNSET:
            field_dict["context"] = context
        if search is not UNSET:
            field_dict["search"] = search
        if step_checks is not UNSET:
            field_dict["step_checks"] = step_checks
        if tools is not UNSET:
            field_dict["tools"] = tools
        if verified is not UNSET:
            field_dict["verified"] = verified

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.answer_cluster_out import AnswerClusterOut # noqa: PLC0415
        from ..models.chain_counts_out import ChainCountsOut # noqa: PLC0415
        from ..models.checks_out import ChecksOut # noqa: PLC0415
        from ..models.context_out import ContextOut # noqa: PLC0415
        from ..models.search_out import SearchOut # noqa: PLC0415
        from ..models.timings_out import TimingsOut # noqa: PLC0415
        from ..models.tools_out import ToolsOut # noqa: PLC0415
        from ..models.usage_out import UsageOut # noqa: PLC0415
        d = dict(src_dict)
        aggregation = SolveResponseAggregation(d.pop("aggregation"))




        def _parse_answer(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        answer = _parse_answer(d.pop("answer"))


        chain_counts = ChainCountsOut.from_dict(d.pop("chain_counts"))




        clusters = []
        _clusters = d.pop("clusters")
        for clusters_item_data in (_clusters):
            clusters_item = AnswerClusterOut.from_dict(clusters_item_data)



            clusters.append(clusters_item)


        confidence = d.pop("confidence")

        n = d.pop("n")

        request_id = d.pop("request_id")

        selection = SolveResponseSelection(d.pop("selection"))




        step_scores = cast(list[float], d.pop("step_scores"))


        summary = d.pop("summary")

        timings = TimingsOut.from_dict(d.pop("timings"))




        usage = UsageOut.from_dict(d.pop("usage"))




        calibrated = d.pop("calibrated", UNSET)

        def _parse_checks(data: object) -> ChecksOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                checks_type_0 = ChecksOut.from_dict(data)



                return checks_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChecksOut | None | Unset, data)

        checks = _parse_checks(d.pop("checks", UNSET))


        def _parse_context(data: object) -> ContextOut | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                context_type_0 = ContextOut.from_dict(data)



                return context_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ContextOut | None | Unset, data)

        context = _parse_context(d.pop("context", UNSET))


        def _parse_search(data: object) -> None | SearchOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                search_type_0 = SearchOut.from_dict(data)



                return search_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SearchOut | Unset, data)

        search = _parse_search(d.pop("search", UNSET))


        _step_checks = d.pop("step_checks", UNSET)
        step_checks: list[SolveResponseStepChecksItem] | Unset = UNSET
        if _step_checks is not UNSET:
            step_checks = []
            for step_checks_item_data in _step_checks:
                step_checks_item = SolveResponseStepChecksItem(step_checks_item_data)



                step_checks.append(step_checks_item)


        def _parse_tools(data: object) -> None | ToolsOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tools_type_0 = ToolsOut.from_dict(data)



                return tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ToolsOut | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))


        verified = d.pop("verified", UNSET)

        solve_response = cls(
            aggregation=aggregation,
            answer=answer,
            chain_counts=chain_counts,
            clusters=clusters,
            confidence=confidence,
            n=n,
            request_id=request_id,
            selection=selection,
            step_scores=step_scores,
            summary=summary,
            timings=timings,
            usage=usage,
            calibrated=calibrated,
            checks=checks,
            context=context,
            search=search,
            step_checks=step_checks,
            tools=tools,
            verified=verified,
        )


        solve_response.additional_properties = d
        return solve_response

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
