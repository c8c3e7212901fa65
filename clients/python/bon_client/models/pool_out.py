from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.replica_out import ReplicaOut





T = TypeVar("T", bound="PoolOut")



@_attrs_define
class PoolOut:
    """ 
        Attributes:
            name (str): Which engine the pool serves: generator or reward.
            ready (bool): One of its replicas at least answers.
            replicas (list[ReplicaOut]): Its replicas, in no particular order.
     """

    name: str
    ready: bool
    replicas: list[ReplicaOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.replica_out import ReplicaOut # noqa: PLC0415
        name = self.name

        ready = self.ready

        replicas = []
        for replicas_item_data in self.replicas:
            replicas_item = replicas_item_data.to_dict()
            replicas.append(replicas_item)




        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "name": name,
            "ready": ready,
            "replicas": replicas,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.replica_out import ReplicaOut # noqa: PLC0415
        d = dict(src_dict)
        name = d.pop("name")

        ready = d.pop("ready")

        replicas = []
        _replicas = d.pop("replicas")
        for replicas_item_data in (_replicas):
            replicas_item = ReplicaOut.from_dict(replicas_item_data)



            replicas.append(replicas_item)


        pool_out = cls(
            name=name,
            ready=ready,
            replicas=replicas,
        )


        pool_out.additional_properties = d
        return pool_out

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
