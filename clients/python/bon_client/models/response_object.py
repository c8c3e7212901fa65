from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.response_object_status import ResponseObjectStatus
from ..types import UNSET, Unset
from typing import cast
from typing import Literal, cast

if TYPE_CHECKING:
  from ..models.message_item import MessageItem
  from ..models.reasoning_item import ReasoningItem
  from ..models.response_reasoning import ResponseReasoning
  from ..models.response_usage import ResponseUsage
  from ..models.verification_metadata import VerificationMetadata





T = TypeVar("T", bound="ResponseObject")



@_attrs_define
class ResponseObject:
    """ 
        Attributes:
            created_at (int): Unix time of the answer.
            id (str): resp_ and the request id.
            metadata (VerificationMetadata): The verification as OpenAI's string metadata: closed, so nothing else can ride
                in it.
            model (str): The served model's id.
            output (list[MessageItem | ReasoningItem]): A reasoning item, then the message item.
            reasoning (ResponseReasoning):
            status (ResponseObjectStatus): incomplete when no chain reached an answer.
            usage (ResponseUsage):
            object_ (Literal['response'] | Unset): Always 'response'. Default: 'response'.
     """

    created_at: int
    id: str
    metadata: VerificationMetadata
    model: str
    output: list[MessageItem | ReasoningItem]
    reasoning: ResponseReasoning
    status: ResponseObjectStatus
    usage: ResponseUsage
    object_: Literal['response'] | Unset = 'response'
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.message_item import MessageItem # noqa: PLC0415
        from ..models.reasoning_item import ReasoningItem # noqa: PLC0415
        from ..models.response_reasoning import ResponseReasoning # noqa: PLC0415
        from ..models.response_usage import ResponseUsage # noqa: PLC0415
        from ..models.verification_metadata import VerificationMetadata # noqa: PLC0415
        created_at = self.created_at

        id = self.id

        metadata = self.metadata.to_dict()

        model = self.model

        output = []
        for output_item_data in self.output:
            output_item: dict[str, Any]
            if isinstance(output_item_data, ReasoningItem):
                output_item = output_item_data.to_dict()
            else:
                output_item = output_item_data.to_dict()

            output.append(output_item)



        reasoning = self.reasoning.to_dict()

        status = self.status.value

        usage = self.usage.to_dict()

        object_ = self.object_


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "created_at": created_at,
            "id": id,
            "metadata": metadata,
            "model": model,
            "output": output,
            "reasoning": reasoning,
            "status": status,
            "usage": usage,
        })
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.message_item import MessageItem # noqa: PLC0415
        from ..models.reasoning_item import ReasoningItem # noqa: PLC0415
        from ..models.response_reasoning import ResponseReasoning # noqa: PLC0415
        from ..models.response_usage import ResponseUsage # noqa: PLC0415
        from ..models.verification_metadata import VerificationMetadata # noqa: PLC0415
        d = dict(src_dict)
        created_at = d.pop("created_at")

        id = d.pop("id")

        metadata = VerificationMetadata.from_dict(d.pop("metadata"))




        model = d.pop("model")

        output = []
        _output = d.pop("output")
        for output_item_data in (_output):
            def _parse_output_item(data: object) -> MessageItem | ReasoningItem:
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    output_item_type_0 = ReasoningItem.from_dict(data)



                    return output_item_type_0
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                if not isinstance(data, dict):
                    raise TypeError()
                output_item_type_1 = MessageItem.from_dict(data)



                return output_item_type_1

            output_item = _parse_output_item(output_item_data)

            output.append(output_item)


        reasoning = ResponseReasoning.from_dict(d.pop("reasoning"))




        status = ResponseObjectStatus(d.pop("status"))




        usage = ResponseUsage.from_dict(d.pop("usage"))




        object_ = cast(Literal['response'] | Unset , d.pop("object", UNSET))
        if object_ != 'response'and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'response', got '{object_}'")

        response_object = cls(
            created_at=created_at,
            id=id,
            metadata=metadata,
            model=model,
            output=output,
            reasoning=reasoning,
            status=status,
            usage=usage,
            object_=object_,
        )


        response_object.additional_properties = d
        return response_object

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
