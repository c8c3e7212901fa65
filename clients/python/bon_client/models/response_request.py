from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.response_request_checks_type_0_type_0 import ResponseRequestChecksType0Type0
from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.input_message import InputMessage
  from ..models.reasoning_param import ReasoningParam
  from ..models.response_tool import ResponseTool





T = TypeVar("T", bound="ResponseRequest")



@_attrs_define
class ResponseRequest:
    """ 
        Attributes:
            input_ (list[InputMessage] | str): The problem, or messages whose last user one is it.
            model (str): The served model's id (GET /v1/models).
            checks (list[str] | None | ResponseRequestChecksType0Type0 | Unset): Step checkers that read every step beside
                the reward model: `auto` (the default: those the server's format declares), `none`, or names (`numeric`: a
                calculator over arithmetic claims; `latex`: LaTeX equalities; `arith`: the shipped task's own grammar). A step
                found false has its score capped and its chain cannot make the answer verified.
            instructions (None | str | Unset): A system prompt, replacing the server's (models with a chat template only);
                else the input's system and developer messages are.
            max_output_tokens (int | None | Unset): Upper bound, reasoning included.
            reasoning (None | ReasoningParam | Unset): Effort, and whether to return a summary.
            store (bool | None | Unset): false: the server's audit record of this request keeps only metadata and hashes,
                not the problem, the hidden chains, the answer or the summary (kept by default).
            stream (bool | None | Unset): Streaming is not supported; false or absent.
            temperature (float | None | Unset): Sampling temperature of the chains.
            tools (list[ResponseTool] | None | Unset): `[{"type": "code_interpreter"}]`: the hidden chains may run Python
                code in the server's sandbox while they reason (where the operator enabled it). Their code is chain text: no
                code_interpreter_call item is returned; metadata counts the calls. Absent: the server's default tools; []: none.
            top_p (float | None | Unset): Nucleus sampling, as OpenAI's and vLLM's top_p: each token of a chain is drawn
                from the most likely tokens whose probabilities add up to top_p (default 1: from all of them).
     """

    input_: list[InputMessage] | str
    model: str
    checks: list[str] | None | ResponseRequestChecksType0Type0 | Unset = UNSET
    instructions: None | str | Unset = UNSET
    max_output_tokens: int | None | Unset = UNSET
    reasoning: None | ReasoningParam | Unset = UNSET
    store: bool | None | Unset = UNSET
    stream: bool | None | Unset = UNSET
    temperature: float | None | Unset = UNSET
    tools: list[ResponseTool] | None | Unset = UNSET
    top_p: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.input_message import InputMessage # noqa: PLC0415
        from ..models.reasoning_param import ReasoningParam # noqa: PLC0415
        from ..models.response_tool import ResponseTool # noqa: PLC0415
        input_: list[dict[str, Any]] | str
        if isinstance(self.input_, list):
            input_ = []
            for input_type_1_item_data in self.input_:
                input_type_1_item = input_type_1_item_data.to_dict()
                input_.append(input_type_1_item)


        else:
            input_ = self.input_

        model = self.model

        checks: list[str] | None | str | Unset
        if isinstance(self.checks, Unset):
            checks = UNSET
        elif isinstance(self.checks, ResponseRequestChecksType0Type0):
            checks = self.checks.value
        elif isinstance(self.checks, list):
            checks = self.checks


        else:
            checks = self.checks

        instructions: None | str | Unset
        if isinstance(self.instructions, Unset):
            instructions = UNSET
        else:
            instructions = self.instructions

        max_output_tokens: int | None | Unset
        if isinstance(self.max_output_tokens, Unset):
            max_output_tokens = UNSET
        else:
            max_output_tokens = self.max_output_tokens

        reasoning: dict[str, Any] | None | Unset
        if isinstance(self.reasoning, Unset):
            reasoning = UNSET
        elif isinstance(self.reasoning, ReasoningParam):
            reasoning = self.reasoning.to_dict()
        else:
            reasoning = self.reasoning

        store: bool | None | Unset
        if isinstance(self.store, Unset):
            store = UNSET
        else:
            store = self.store

        stream: bool | None | Unset
        if isinstance(self.stream, Unset):
            stream = UNSET
        else:
            stream = self.stream

        temperature: float | None | Unset
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature

        tools: list[dict[str, Any]] | None | Unset
        if isinstance(self.tools, Unset):
            tools = UNSET
        elif isinstance(self.tools, list):
            tools = []
            for tools_type_0_item_data in self.tools:
                tools_type_0_item = tools_type_0_item_data.to_dict()
                tools.append(tools_type_0_item)


        else:
            tools = self.tools

        top_p: float | None | Unset
        if isinstance(self.top_p, Unset):
            top_p = UNSET
        else:
            top_p = self.top_p


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "input": input_,
            "model": model,
        })
        if checks is not UNSET:
            field_dict["checks"] = checks
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if max_output_tokens is not UNSET:
            field_dict["max_output_tokens"] = max_output_tokens
        if reasoning is not UNSET:
            field_dict["reasoning"] = reasoning
        if store is not UNSET:
            field_dict["store"] = store
        if stream is not UNSET:
            field_dict["stream"] = stream
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if tools is not UNSET:
            field_dict["tools"] = tools
        if top_p is not UNSET:
            field_dict["top_p"] = top_p

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.input_message import InputMessage # noqa: PLC0415
        from ..models.reasoning_param import ReasoningParam # noqa: PLC0415
        from ..models.response_tool import ResponseTool # noqa: PLC0415
        d = dict(src_dict)
        def _parse_input_(data: object) -> list[InputMessage] | str:
            try:
                if not isinstance(data, list):
                    raise TypeError()
                input_type_1 = []
                _input_type_1 = data
                for input_type_1_item_data in (_input_type_1):
                    input_type_1_item = InputMessage.from_dict(input_type_1_item_data)



                    input_type_1.append(input_type_1_item)

                return input_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[InputMessage] | str, data)

        input_ = _parse_input_(d.pop("input"))


        model = d.pop("model")

        def _parse_checks(data: object) -> list[str] | None | ResponseRequestChecksType0Type0 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                checks_type_0_type_0 = ResponseRequestChecksType0Type0(data)



                return checks_type_0_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, list):
                    raise TypeError()
                checks_type_0_type_1 = cast(list[str], data)

                return checks_type_0_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | ResponseRequestChecksType0Type0 | Unset, data)

        checks = _parse_checks(d.pop("checks", UNSET))


        def _parse_instructions(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instructions = _parse_instructions(d.pop("instructions", UNSET))


        def _parse_max_output_tokens(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_output_tokens = _parse_max_output_tokens(d.pop("max_output_tokens", UNSET))


        def _parse_reasoning(data: object) -> None | ReasoningParam | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                reasoning_type_0 = ReasoningParam.from_dict(data)



                return reasoning_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReasoningParam | Unset, data)

        reasoning = _parse_reasoning(d.pop("reasoning", UNSET))


        def _parse_store(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        store = _parse_store(d.pop("store", UNSET))


        def _parse_stream(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        stream = _parse_stream(d.pop("stream", UNSET))


        def _parse_temperature(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))


        def _parse_tools(data: object) -> list[ResponseTool] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tools_type_0 = []
                _tools_type_0 = data
                for tools_type_0_item_data in (_tools_type_0):
                    tools_type_0_item = ResponseTool.from_dict(tools_type_0_item_data)



                    tools_type_0.append(tools_type_0_item)

                return tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[ResponseTool] | None | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))


        def _parse_top_p(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        top_p = _parse_top_p(d.pop("top_p", UNSET))


        response_request = cls(
            input_=input_,
            model=model,
            checks=checks,
            instructions=instructions,
            max_output_tokens=max_output_tokens,
            reasoning=reasoning,
            store=store,
            stream=stream,
            temperature=temperature,
            tools=tools,
            top_p=top_p,
        )


        response_request.additional_properties = d
        return response_request

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
