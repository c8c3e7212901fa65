from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.message_item_status import MessageItemStatus
from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast

if TYPE_CHECKING:
  from ..models.output_text import OutputText





T = TypeVar("T", bound="MessageItem")



@_attrs_define
class MessageItem:
    """ 
        Attributes:
            content (list[OutputText]): The answer as one output text.
            id (str): msg_ and the request id.
            role (Literal['assistant'] | Unset): Always 'assistant'. Default: 'assistant'.
            status (MessageItemStatus | Unset): incomplete when no chain reached an answer. Default:
                MessageItemStatus.COMPLETED.
            type_ (Literal['message'] | Unset): Always 'message'. Default: 'message'.
     """

    content: list[OutputText]
    id: str
    role: Literal['assistant'] | Unset = 'assistant'
    status: MessageItemStatus | Unset = MessageItemStatus.COMPLETED
    type_: Literal['message'] | Unset = 'message'
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.output_text import OutputText # noqa: PLC0415
        content = []
        for content_item_data in self.content:
            content_item = content_item_data.to_dict()
            content.append(content_item)



        id = self.id

        role = self.role

        status: str | Unset = UNSET
        if not isinstance(self.status, Unset):
            status = self.status.value


        type_ = self.type_


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content": content,
            "id": id,
        })
        if role is not UNSET:
            field_dict["role"] = role
        if status is not UNSET:
            field_dict["status"] = status
        if type_ is not UNSET:
            field_dict["type"] = type_

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.output_text import OutputText # noqa: PLC0415
        d = dict(src_dict)
        content = []
        _content = d.pop("content")
        for content_item_data in (_content):
            content_item = OutputText.from_dict(content_item_data)



            content.append(content_item)


        id = d.pop("id")

        role = cast(Literal['assistant'] | Unset , d.pop("role", UNSET))
        if role != 'assistant'and not isinstance(role, Unset):
            raise ValueError(f"role must match const 'assistant', got '{role}'")

        _status = d.pop("status", UNSET)
        status: MessageItemStatus | Unset
        if isinstance(_status,  Unset):
            status = UNSET
        else:
            status = MessageItemStatus(_status)




        type_ = cast(Literal['message'] | Unset , d.pop("type", UNSET))
        if type_ != 'message'and not isinstance(type_, Unset):
            raise ValueError(f"type must match const 'message', got '{type_}'")

        message_item = cls(
            content=content,
            id=id,
            role=role,
            status=status,
            type_=type_,
        )


        message_item.additional_properties = d
        return message_item

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
