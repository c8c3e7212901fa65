from enum import StrEnum

class SolveRequestAggregationType0(StrEnum):
    LAST = "last"
    MEAN = "mean"
    MIN = "min"
    PROD = "prod"

    def __str__(self) -> str:
        return str(self.value)
