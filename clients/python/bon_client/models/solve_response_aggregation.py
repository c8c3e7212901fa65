from enum import StrEnum

class SolveResponseAggregation(StrEnum):
    LAST = "last"
    MEAN = "mean"
    MIN = "min"
    PROD = "prod"

    def __str__(self) -> str:
        return str(self.value)
