from enum import StrEnum

class ReadyOutStatus(StrEnum):
    FAILED = "failed"
    LOADING = "loading"
    READY = "ready"

    def __str__(self) -> str:
        return str(self.value)
