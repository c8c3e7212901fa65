from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.trace_record_kind import TraceRecordKind
from typing import cast

if TYPE_CHECKING:
  from ..models.trace_record_content import TraceRecordContent





T = TypeVar("T", bound="TraceRecord")



@_attrs_define
class TraceRecord:
    """ 
        Attributes:
            content (TraceRecordContent): What was recorded. solve: params, every hidden chain (text, steps, step_scores,
                chain_score, answer, votes, finish_reason, tokens), pruned (the adaptive search's cuts), selected_chain, answer,
                the exact summary shown, confidence, clusters, counts, usage, timings.
            created_at (str): When the record was made, UTC (ISO 8601).
            entry_id (None | str): The record's unique id (a retried write is recognised by it).
            hash_ (str): SHA-256 over prev_hash and the record's body: `bon audit verify` checks the chain.
            key_id (str): The id of the key that asked (never the key).
            kind (TraceRecordKind): solve: an answered request (or a continuation of one); read: an admin read these
                records; sweep: the retention sweep removed the records up to content.through_seq.
            prev_hash (str): The hash of the record before it.
            request_id (None | str): The request id the answer carried (solve), or the one read (read).
            seq (int): The record's place in the hash chain, from 1.
            stored (bool): false: the request asked `store: false`; texts are kept as SHA-256 only.
     """

    content: TraceRecordContent
    created_at: str
    entry_id: None | str
    hash_: str
    key_id: str
    kind: TraceRecordKind
    prev_hash: str
    request_id: None | str
    seq: int
    stored: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.trace_record_content import TraceRecordContent # noqa: PLC0415
        content = self.content.to_dict()

        created_at = self.created_at

        entry_id: None | str
        entry_id = self.entry_id

        hash_ = self.hash_

        key_id = self.key_id

        kind = self.kind.value

        prev_hash = self.prev_hash

        request_id: None | str
        request_id = self.request_id

        seq = self.seq

        stored = self.stored


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content": content,
            "created_at": created_at,
            "entry_id": entry_id,
            "hash": hash_,
            "key_id": key_id,
            "kind": kind,
            "prev_hash": prev_hash,
            "request_id": request_id,
            "seq": seq,
            "stored": stored,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.trace_record_content import TraceRecordContent # noqa: PLC0415
        d = dict(src_dict)
        content = TraceRecordContent.from_dict(d.pop("content"))




        created_at = d.pop("created_at")

        def _parse_entry_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        entry_id = _parse_entry_id(d.pop("entry_id"))


        hash_ = d.pop("hash")

        key_id = d.pop("key_id")

        kind = TraceRecordKind(d.pop("kind"))




        prev_hash = d.pop("prev_hash")

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))


        seq = d.pop("seq")

        stored = d.pop("stored")

        trace_record = cls(
            content=content,
            created_at=created_at,
            entry_id=entry_id,
            hash_=hash_,
            key_id=key_id,
            kind=kind,
            prev_hash=prev_hash,
            request_id=request_id,
            seq=seq,
            stored=stored,
        )


        trace_record.additional_properties = d
        return trace_record

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
