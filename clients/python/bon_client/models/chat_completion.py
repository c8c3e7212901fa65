from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast

if TYPE_CHECKING:
  from ..models.chat_choice import ChatChoice
  from ..models.chat_usage import ChatUsage
  from ..models.verification import Verification





T = TypeVar("T", bound="ChatCompletion")



@_attrs_define
class ChatCompletion:
    """ 
        Attributes:
            choices (list[ChatChoice]): One choice: the verified answer.
            created (int): Unix time of the answer.
            id (str): chatcmpl- and the request id (X-Request-ID).
            model (str): The served model's id.
            usage (ChatUsage):
            verification (Verification): The extra field that carries the best-of-N verification's public part.
            object_ (Literal['chat.completion'] | Unset): Always 'chat.completion'. Default: 'chat.completion'.
     """

    choices: list[ChatChoice]
    created: int
    id: str
    model: str
    usage: ChatUsage
    verification: Verification
    object_: Literal['chat.completion'] | Unset = 'chat.completion'
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_choice import ChatChoice # noqa: PLC0415
        from ..models.chat_usage import ChatUsage # noqa: PLC0415
        from ..models.verification import Verification # noqa: PLC0415
        choices = []
        for choices_item_data in self.choices:
            choices_item = choices_item_data.to_dict()
            choices.append(choices_item)



        created = self.created

        id = self.id

        model = self.model

        usage = self.usage.to_dict()

        verification = self.verification.to_dict()

        object_ = self.object_


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "choices": choices,
            "created": created,
            "id": id,
            "model": model,
            "usage": usage,
            "verification": verification,
        })
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_choice import ChatChoice # noqa: PLC0415
        from ..models.chat_usage import ChatUsage # noqa: PLC0415
        from ..models.verification import Verification # noqa: PLC0415
        d = dict(src_dict)
        choices = []
        _choices = d.pop("choices")
        for choices_item_data in (_choices):
            choices_item = ChatChoice.from_dict(choices_item_data)



            choices.append(choices_item)


        created = d.pop("created")

        id = d.pop("id")

        model = d.pop("model")

        usage = ChatUsage.from_dict(d.pop("usage"))




        verification = Verification.from_dict(d.pop("verification"))




        object_ = cast(Literal['chat.completion'] | Unset , d.pop("object", UNSET))
        if object_ != 'chat.completion'and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'chat.completion', got '{object_}'")

        chat_completion = cls(
            choices=choices,
            created=created,
            id=id,
            model=model,
            usage=usage,
            verification=verification,
            object_=object_,
        )


        chat_completion.additional_properties = d
        return chat_completion

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
