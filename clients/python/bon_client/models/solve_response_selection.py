from enum import StrEnum

class SolveResponseSelection(StrEnum):
    MAJORITY_VOTE = "majority_vote"
    ORM_MAX = "orm_max"
    PRM_MAX = "prm_max"
    PRM_WEIGHTED_VOTE = "prm_weighted_vote"

    def __str__(self) -> str:
        return str(self.value)
