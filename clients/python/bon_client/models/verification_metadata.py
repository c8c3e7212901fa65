from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.verification_metadata_bon_calibrated import VerificationMetadataBonCalibrated
from ..models.verification_metadata_bon_verified import VerificationMetadataBonVerified
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="VerificationMetadata")



@_attrs_define
class VerificationMetadata:
    """ The verification as OpenAI's string metadata: closed, so nothing else can ride in it.

        Attributes:
            bon_calibrated (VerificationMetadataBonCalibrated): Whether bon_confidence is a probability.
            bon_confidence (str): The probability that the answer is right (when calibrated).
            bon_verified (VerificationMetadataBonVerified): 'false': treat the answer as a guess.
            bon_chains_vetoed (None | str | Unset): Chains with a step found false.
            bon_checkers (None | str | Unset): The step checkers that read every step, as name@version (absent when none
                ran).
            bon_steps_checked (None | str | Unset): Steps the checkers read.
            bon_steps_failed (None | str | Unset): Steps found false.
            bon_tool_calls (None | str | Unset): Tool calls the hidden chains made (absent when tools were off).
            bon_tool_calls_failed (None | str | Unset): Of those, calls that gave no result (an error, a limit, refused).
     """

    bon_calibrated: VerificationMetadataBonCalibrated
    bon_confidence: str
    bon_verified: VerificationMetadataBonVerified
    bon_chains_vetoed: None | str | Unset = UNSET
    bon_checkers: None | str | Unset = UNSET
    bon_steps_checked: None | str | Unset = UNSET
    bon_steps_failed: None | str | Unset = UNSET
    bon_tool_calls: None | str | Unset = UNSET
    bon_tool_calls_failed: None | str | Unset = UNSET





    def to_dict(self) -> dict[str, Any]:
        bon_calibrated = self.bon_calibrated.value

        bon_confidence = self.bon_confidence

        bon_verified = self.bon_verified.value

        bon_chains_vetoed: None | str | Unset
        if isinstance(self.bon_chains_vetoed, Unset):
            bon_chains_vetoed = UNSET
        else:
            bon_chains_vetoed = self.bon_chains_vetoed

        bon_checkers: None | str | Unset
        if isinstance(self.bon_checkers, Unset):
            bon_checkers = UNSET
        else:
            bon_checkers = self.bon_checkers

        bon_steps_checked: None | str | Unset
        if isinstance(self.bon_steps_checked, Unset):
            bon_steps_checked = UNSET
        else:
            bon_steps_checked = self.bon_steps_checked

        bon_steps_failed: None | str | Unset
        if isinstance(self.bon_steps_failed, Unset):
            bon_steps_failed = UNSET
        else:
            bon_steps_failed = self.bon_steps_failed

        bon_tool_calls: None | str | Unset
        if isinstance(self.bon_tool_calls, Unset):
            bon_tool_calls = UNSET
        else:
            bon_tool_calls = self.bon_tool_calls

        bon_tool_calls_failed: None | str | Unset
        if isinstance(self.bon_tool_calls_failed, Unset):
            bon_tool_calls_failed = UNSET
        else:
            bon_tool_calls_failed = self.bon_tool_calls_failed


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "bon_calibrated": bon_calibrated,
            "bon_confidence": bon_confidence,
            "bon_verified": bon_verified,
        })
        if bon_chains_vetoed is not UNSET:
            field_dict["bon_chains_vetoed"] = bon_chains_vetoed
        if bon_checkers is not UNSET:
            field_dict["bon_checkers"] = bon_checkers
        if bon_steps_checked is not UNSET:
            field_dict["bon_steps_checked"] = bon_steps_checked
        if bon_steps_failed is not UNSET:
            field_dict["bon_steps_failed"] = bon_steps_failed
        if bon_tool_calls is not UNSET:
            field_dict["bon_tool_calls"] = bon_tool_calls
        if bon_tool_calls_failed is not UNSET:
            field_dict["bon_tool_calls_failed"] = bon_tool_calls_failed

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bon_calibrated = VerificationMetadataBonCalibrated(d.pop("bon_calibrated"))




        bon_confidence = d.pop("bon_confidence")

        bon_verified = VerificationMetadataBonVerified(d.pop("bon_verified"))




        def _parse_bon_chains_vetoed(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bon_chains_vetoed = _parse_bon_chains_vetoed(d.pop("bon_chains_vetoed", UNSET))


        def _parse_bon_checkers(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bon_checkers = _parse_bon_checkers(d.pop("bon_checkers", UNSET))


        def _parse_bon_steps_checked(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bon_steps_checked = _parse_bon_steps_checked(d.pop("bon_steps_checked", UNSET))


        def _parse_bon_steps_failed(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bon_steps_failed = _parse_bon_steps_failed(d.pop("bon_steps_failed", UNSET))


        def _parse_bon_tool_calls(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bon_tool_calls = _parse_bon_tool_calls(d.pop("bon_tool_calls", UNSET))


        def _parse_bon_tool_calls_failed(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        bon_tool_calls_failed = _parse_bon_tool_calls_failed(d.pop("bon_tool_calls_failed", UNSET))


        verification_metadata = cls(
            bon_calibrated=bon_calibrated,
            bon_confidence=bon_confidence,
            bon_verified=bon_verified,
            bon_chains_vetoed=bon_chains_vetoed,
            bon_checkers=bon_checkers,
            bon_steps_checked=bon_steps_checked,
            bon_steps_failed=bon_steps_failed,
            bon_tool_calls=bon_tool_calls,
            bon_tool_calls_failed=bon_tool_calls_failed,
        )

        return verification_metadata

