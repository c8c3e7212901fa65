from enum import StrEnum

class MessageItemStatus(StrEnum):
    COMPLETED = "completed"
    INCOMPLETE = "incomplete"

    def __str__(self) -> str:
        return str(self.value)
