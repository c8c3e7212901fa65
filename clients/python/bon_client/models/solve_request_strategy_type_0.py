from enum import StrEnum

class SolveRequestStrategyType0(StrEnum):
    ADAPTIVE = "adaptive"
    BEAM = "beam"
    FIXED = "fixed"
    PARTICLE_FILTERING = "particle_filtering"

    def __str__(self) -> str:
        return str(self.value)
