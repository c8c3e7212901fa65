"""Between the wire and the pipeline: each dialect's request becomes `SolveParams` (through the one
`RequestPolicy`), and the pipeline's `SolveOutcome` becomes that dialect's response. Only public
fields are copied; the raw chains stay in the outcome."""
