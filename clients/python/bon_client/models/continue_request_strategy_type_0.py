from enum import StrEnum

class ContinueRequestStrategyType0(StrEnum):
    ADAPTIVE = "adaptive"
    FIXED = "fixed"

    def __str__(self) -> str:
        return str(self.value)
