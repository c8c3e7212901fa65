from enum import StrEnum

class ReadyOutAudit(StrEnum):
    DEGRADED = "degraded"
    OFF = "off"
    OK = "ok"

    def __str__(self) -> str:
        return str(self.value)
