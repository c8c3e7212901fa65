from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.verification_metadata_bon_calibrated import VerificationMetadataBonCalibrated
from ..models.verification_metadata_bon_verified import VerificationMetadataBonVerified






T = TypeVar("T", bound="VerificationMetadata")



@_attrs_define
class VerificationMetadata:
    """ The verification as OpenAI's string metadata: closed, so nothing else can ride in it.

        Attributes:
            bon_calibrated (VerificationMetadataBonCalibrated): Whether bon_confidence is a probability.
            bon_confidence (str): The probability that the answer is right (when calibrated).
            bon_verified (VerificationMetadataBonVerified): 'false': treat the answer as a guess.
     """

    bon_calibrated: VerificationMetadataBonCalibrated
    bon_confidence: str
    bon_verified: VerificationMetadataBonVerified





    def to_dict(self) -> dict[str, Any]:
        bon_calibrated = self.bon_calibrated.value

        bon_confidence = self.bon_confidence

        bon_verified = self.bon_verified.value


        field_dict: dict[str, Any] = {}

        field_dict.update({
            "bon_calibrated": bon_calibrated,
            "bon_confidence": bon_confidence,
            "bon_verified": bon_verified,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bon_calibrated = VerificationMetadataBonCalibrated(d.pop("bon_calibrated"))




        bon_confidence = d.pop("bon_confidence")

        bon_verified = VerificationMetadataBonVerified(d.pop("bon_verified"))




        verification_metadata = cls(
            bon_calibrated=bon_calibrated,
            bon_confidence=bon_confidence,
            bon_verified=bon_verified,
        )

        return verification_metadata

