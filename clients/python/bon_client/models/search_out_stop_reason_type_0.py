from enum import StrEnum

class SearchOutStopReasonType0(StrEnum):
    CERTAIN = "certain"
    DECIDED = "decided"
    MAX_CHAINS = "max_chains"
    MAX_LATENCY = "max_latency"
    MAX_REASONING_TOKENS = "max_reasoning_tokens"

    def __str__(self) -> str:
        return str(self.value)
