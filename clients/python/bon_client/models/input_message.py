from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.input_message_role import InputMessageRole
from typing import cast

if TYPE_CHECKING:
  from ..models.input_message_content_type_1_item import InputMessageContentType1Item





T = TypeVar("T", bound="InputMessage")



@_attrs_define
class InputMessage:
    """ 
        Attributes:
            content (list[InputMessageContentType1Item] | str): Text, or a list of input_text parts.
            role (InputMessageRole): Who wrote the message.
     """

    content: list[InputMessageContentType1Item] | str
    role: InputMessageRole
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.input_message_content_type_1_item import InputMessageContentType1Item # noqa: PLC0415
        content: list[dict[str, Any]] | str
        if isinstance(self.content, list):
            content = []
            for content_type_1_item_data in self.content:
                content_type_1_item = content_type_1_item_data.to_dict()
                content.append(content_type_1_item)


        else:
            content = self.content

        role = self.role.value


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "content": content,
            "role": role,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.input_message_content_type_1_item import InputMessageContentType1Item # noqa: PLC0415
        d = dict(src_dict)
        def _parse_content(data: object) -> list[InputMessageContentType1Item] | str:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                content_type_1 = []
                _content_type_1 = data
                for content_type_1_item_data in (_content_type_1):
                    content_type_1_item = InputMessageContentType1Item.from_dict(content_type_1_item_data)



                    content_type_1.append(content_type_1_item)

                return content_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[InputMessageContentType1Item] | str, data)

        content = _parse_content(d.pop("content"))


        role = InputMessageRole(d.pop("role"))




        input_message = cls(
            content=content,
            role=role,
        )


        input_message.additional_properties = d
        return input_message

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
