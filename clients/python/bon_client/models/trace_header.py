from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.trace_header_kind import TraceHeaderKind
from ..types import UNSET, Unset
from typing import cast






T = TypeVar("T", bound="TraceHeader")



@_attrs_define
class TraceHeader:
    """ 
        Attributes:
            created_at (str): When the record was made, UTC.
            key_id (str): The id of the key that asked.
            kind (TraceHeaderKind): What the record is of (see TraceRecord).
            request_id (None | str): The request id, when the record is of one.
            seq (int): The record's place in the hash chain.
            stored (bool): Whether the texts were kept (false: hashes only).
            answer (None | str | Unset): solve: the answer given (absent when only hashed).
            confidence (float | None | Unset): solve: the answer's confidence.
            n (int | None | Unset): solve: chains sampled, a continuation's earlier ones included.
            total_s (float | None | Unset): solve: the request's time in the pipeline, seconds.
            verified (bool | None | Unset): solve: whether the answer went out verified.
     """

    created_at: str
    key_id: str
    kind: TraceHeaderKind
    request_id: None | str
    seq: int
    stored: bool
    answer: None | str | Unset = UNSET
    confidence: float | None | Unset = UNSET
    n: int | None | Unset = UNSET
    total_s: float | None | Unset = UNSET
    verified: bool | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at

        key_id = self.key_id

        kind = self.kind.value

        request_id: None | str
        request_id = self.request_id

        seq = self.seq

        stored = self.stored

        answer: None | str | Unset
        if isinstance(self.answer, Unset):
            answer = UNSET
        else:
            answer = self.answer

        confidence: float | None | Unset
        if isinstance(self.confidence, Unset):
            confidence = UNSET
        else:
            confidence = self.confidence

        n: int | None | Unset
        if isinstance(self.n, Unset):
            n = UNSET
        else:
            n = self.n

        total_s: float | None | Unset
        if isinstance(self.total_s, Unset):
            total_s = UNSET
        else:
            total_s = self.total_s

        verified: bool | None | Unset
        if isinstance(self.verified, Unset):
            verified = UNSET
        else:
            verified = self.verified


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "key_id": key_id,
            "kind": kind,
            "request_id": request_id,
            "seq": seq,
            "stored": stored,
        })
        if answer is not UNSET:
            field_dict["answer"] = answer
        if confidence is not UNSET:
            field_dict["confidence"] = confidence
        if n is not UNSET:
            field_dict["n"] = n
        if total_s is not UNSET:
            field_dict["total_s"] = total_s
        if verified is not UNSET:
            field_dict["verified"] = verified

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = d.pop("created_at")

        key_id = d.pop("key_id")

        kind = TraceHeaderKind(d.pop("kind"))




        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))


        seq = d.pop("seq")

        stored = d.pop("stored")

        def _parse_answer(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        answer = _parse_answer(d.pop("answer", UNSET))


        def _parse_confidence(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        confidence = _parse_confidence(d.pop("confidence", UNSET))


        def _parse_n(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        n = _parse_n(d.pop("n", UNSET))


        def _parse_total_s(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        total_s = _parse_total_s(d.pop("total_s", UNSET))


        def _parse_verified(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        verified = _parse_verified(d.pop("verified", UNSET))


        trace_header = cls(
            created_at=created_at,
            key_id=key_id,
            kind=kind,
            request_id=request_id,
            seq=seq,
            stored=stored,
            answer=answer,
            confidence=confidence,
            n=n,
            total_s=total_s,
            verified=verified,
        )


        trace_header.additional_properties = d
        return trace_header

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
