from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.ready_out_audit import ReadyOutAudit
from ..models.ready_out_status import ReadyOutStatus
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.pool_out import PoolOut
  from ..models.ready_out_engines import ReadyOutEngines





T = TypeVar("T", bound="ReadyOut")



@_attrs_define
class ReadyOut:
    """ 
        Attributes:
            engines (ReadyOutEngines): State of each engine.
            status (ReadyOutStatus): ready when /solve can answer.
            audit (ReadyOutAudit | Unset): The audit store: degraded while its writes fail or records are dropped (answers
                go on). Default: ReadyOutAudit.OFF.
            audit_detail (None | str | Unset): Why the audit store is degraded.
            detail (None | str | Unset): Why it is not ready.
            pools (list[PoolOut] | None | Unset): Where engines are remote: each pool's replicas and their state (a request
                goes to one replica of each pool; a pool is ready while one of its replicas is).
     """

    engines: ReadyOutEngines
    status: ReadyOutStatus
    audit: ReadyOutAudit | Unset = ReadyOutAudit.OFF
    audit_detail: None | str | Unset = UNSET
    detail: None | str | Unset = UNSET
    pools: list[PoolOut] | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.pool_out import PoolOut # noqa: PLC0415
        from ..models.ready_out_engines import ReadyOutEngines # noqa: PLC0415
        engines = self.engines.to_dict()

        status = self.status.value

        audit: str | Unset = UNSET
        if not isinstance(self.audit, Unset):
            audit = self.audit.value


        audit_detail: None | str | Unset
        if isinstance(self.audit_detail, Unset):
            audit_detail = UNSET
        else:
            audit_detail = self.audit_detail

        detail: None | str | Unset
        if isinstance(self.detail, Unset):
            detail = UNSET
        else:
            detail = self.detail

        pools: list[dict[str, Any]] | None | Unset
        if isinstance(self.pools, Unset):
            pools = UNSET
        elif isinstance(self.pools, list):
            pools = []
            for pools_type_0_item_data in self.pools:
                pools_type_0_item = pools_type_0_item_data.to_dict()
                pools.append(pools_type_0_item)


        else:
            pools = self.pools


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "engines": engines,
            "status": status,
        })
        if audit is not UNSET:
            field_dict["audit"] = audit
        if audit_detail is not UNSET:
            field_dict["audit_detail"] = audit_detail
        if detail is not UNSET:
            field_dict["detail"] = detail
        if pools is not UNSET:
            field_dict["pools"] = pools

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pool_out import PoolOut # noqa: PLC0415
        from ..models.ready_out_engines import ReadyOutEngines # noqa: PLC0415
        d = dict(src_dict)
        engines = ReadyOutEngines.from_dict(d.pop("engines"))




        status = ReadyOutStatus(d.pop("status"))




        _audit = d.pop("audit", UNSET)
        audit: ReadyOutAudit | Unset
        if isinstance(_audit,  Unset):
            audit = UNSET
        else:
            audit = ReadyOutAudit(_audit)




        def _parse_audit_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        audit_detail = _parse_audit_detail(d.pop("audit_detail", UNSET))


        def _parse_detail(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        detail = _parse_detail(d.pop("detail", UNSET))


        def _parse_pools(data: object) -> list[PoolOut] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                pools_type_0 = []
                _pools_type_0 = data
                for pools_type_0_item_data in (_pools_type_0):
                    pools_type_0_item = PoolOut.from_dict(pools_type_0_item_data)



                    pools_type_0.append(pools_type_0_item)

                return pools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[PoolOut] | None | Unset, data)

        pools = _parse_pools(d.pop("pools", UNSET))


        ready_out = cls(
            engines=engines,
            status=status,
            audit=audit,
            audit_detail=audit_detail,
            detail=detail,
            pools=pools,
        )


        ready_out.additional_properties = d
        return ready_out

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
