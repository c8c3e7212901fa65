from enum import StrEnum

class SolveRequestToolsType0Type0(StrEnum):
    AUTO = "auto"
    NONE = "none"

    def __str__(self) -> str:
        return str(self.value)
