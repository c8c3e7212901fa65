from enum import StrEnum

class SolveRequestStrategyType0(StrEnum):
    ADAPTIVE = "adaptive"
    FIXED = "fixed"

    def __str__(self) -> str:
        return str(self.value)
