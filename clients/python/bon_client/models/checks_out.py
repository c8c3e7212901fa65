from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast

if TYPE_CHECKING:
  from ..models.checker_out import CheckerOut





T = TypeVar("T", bound="ChecksOut")



@_attrs_define
class ChecksOut:
    """ 
        Attributes:
            chains_vetoed (int): Chains with a step found false.
            checkers (list[CheckerOut]): The step checkers that read every step.
            steps_checked (int): Steps the checkers read, every chain together.
            steps_failed (int): Steps whose claim a checker found false (their score is capped).
            steps_none (int): Steps with nothing to check (or a check that could not finish).
            steps_passed (int): Steps whose claim a checker found true.
     """

    chains_vetoed: int
    checkers: list[CheckerOut]
    steps_checked: int
    steps_failed: int
    steps_none: int
    steps_passed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.checker_out import CheckerOut # noqa: PLC0415
        chains_vetoed = self.chains_vetoed

        checkers = []
        for checkers_item_data in self.checkers:
            checkers_item = checkers_item_data.to_dict()
            checkers.append(checkers_item)



        steps_checked = self.steps_checked

        steps_failed = self.steps_failed

        steps_none = self.steps_none

        steps_passed = self.steps_passed


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "chains_vetoed": chains_vetoed,
            "checkers": checkers,
            "steps_checked": steps_checked,
            "steps_failed": steps_failed,
            "steps_none": steps_none,
            "steps_passed": steps_passed,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.checker_out import CheckerOut # noqa: PLC0415
        d = dict(src_dict)
        chains_vetoed = d.pop("chains_vetoed")

        checkers = []
        _checkers = d.pop("checkers")
        for checkers_item_data in (_checkers):
            checkers_item = CheckerOut.from_dict(checkers_item_data)



            checkers.append(checkers_item)


        steps_checked = d.pop("steps_checked")

        steps_failed = d.pop("steps_failed")

        steps_none = d.pop("steps_none")

        steps_passed = d.pop("steps_passed")

        checks_out = cls(
            chains_vetoed=chains_vetoed,
            checkers=checkers,
            steps_checked=steps_checked,
            steps_failed=steps_failed,
            steps_none=steps_none,
            steps_passed=steps_passed,
        )


        checks_out.additional_properties = d
        return checks_out

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
