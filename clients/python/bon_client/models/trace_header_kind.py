from enum import StrEnum

class TraceHeaderKind(StrEnum):
    READ = "read"
    SOLVE = "solve"
    SWEEP = "sweep"

    def __str__(self) -> str:
        return str(self.value)
