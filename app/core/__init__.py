"""The pure core: step handling, score aggregation, answer equivalence and selection."""
