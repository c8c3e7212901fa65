from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.verification_reasoning_effort import VerificationReasoningEffort
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.answer_cluster_out import AnswerClusterOut
  from ..models.chain_counts_out import ChainCountsOut
  from ..models.checks_out import ChecksOut





T = TypeVar("T", bound="Verification")



@_attrs_define
class Verification:
    """ The extra field that carries the best-of-N verification's public part.

        Attributes:
            chain_counts (ChainCountsOut):
            clusters (list[AnswerClusterOut]): Answer clusters, heaviest first.
            confidence (float): The probability that the answer is right, fitted on held-out problems (when `calibrated`);
                otherwise the winning cluster's share of the selection weight.
            n (int): Chains sampled and verified.
            reasoning_effort (VerificationReasoningEffort): The effort the request ran at.
            summary (str): A summary of the winning chain's reasoning; never the chain itself.
            calibrated (bool | Unset): Whether `confidence` is a calibrated probability. Default: False.
            checks (ChecksOut | None | Unset): What the step checkers found (when any ran).
            verified (bool | Unset): The confidence reached the server's threshold; false: treat the answer as a guess.
                Default: False.
     """

    chain_counts: ChainCountsOut
    clusters: list[AnswerClusterOut]
    confidence: float
    n: int
    reasoning_effort: VerificationReasoningEffort
    summary: str
    calibrated: bool | Unset = False
    checks: ChecksOut | None | Unset = UNSET
    verified: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.answer_cluster_out import AnswerClusterOut # noqa: PLC0415
        from ..models.chain_counts_out import ChainCountsOut # noqa: PLC0415
        from ..models.checks_out import ChecksOut # noqa: PLC0415
        chain_counts = self.chain_counts.to_dict()

        clusters = []
        for clusters_item_data in self.clusters:
            clusters_item = clusters_item_data.to_dict()
            clusters.append(clusters_item)



        confidence = self.confidence

        n = self.n

        reasoning_effort = self.reasoning_effort.value

        summary = self.summary

        calibrated = self.calibrated

        checks: dict[str, Any] | None | Unset
        if isinstance(self.checks, Unset):
            checks = UNSET
        elif isinstance(self.checks, ChecksOut):
            checks = self.checks.to_dict()
        else:
            checks = self.checks

        verified = self.verified


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chain_counts": chain_counts,
            "clusters": clusters,
            "confidence": confidence,
            "n": n,
            "reasoning_effort": reasoning_effort,
            "summary": summary,
        })
        if calibrated is not UNSET:
            field_dict["calibrated"] = calibrated
        if checks is not UNSET:
            field_dict["checks"] = checks
        if verified is not UNSET:
            field_dict["verified"] = verified

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.answer_cluster_out import AnswerClusterOut # noqa: PLC0415
        from ..models.chain_counts_out import ChainCountsOut # noqa: PLC0415
        from ..models.checks_out import ChecksOut # noqa: PLC0415
        d = dict(src_dict)
        chain_counts = ChainCountsOut.from_dict(d.pop("chain_counts"))




        clusters = []
        _clusters = d.pop("clusters")
        for clusters_item_data in (_clusters):
            clusters_item = AnswerClusterOut.from_dict(clusters_item_data)



            clusters.append(clusters_item)


        confidence = d.pop("confidence")

        n = d.pop("n")

        reasoning_effort = VerificationReasoningEffort(d.pop("reasoning_effort"))




        summary = d.pop("summary")

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


        verified = d.pop("verified", UNSET)

        verification = cls(
            chain_counts=chain_counts,
            clusters=clusters,
            confidence=confidence,
            n=n,
            reasoning_effort=reasoning_effort,
            summary=summary,
            calibrated=calibrated,
            checks=checks,
            verified=verified,
        )


        verification.additional_properties = d
        return verification

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
