"""The example every route's OpenAPI documentation shows: one problem and the summary of its
winning chain (a summary, never a chain)."""

from __future__ import annotations

EXAMPLE_PROBLEM = "((37+48)*3)-12"
EXAMPLE_SUMMARY = (
    "Worked left to right from 37 in 3 operations: add 48 to get 85; multiply by 3 to get 255; subtract 12 "
    "to get 243. Final answer 243; the verifier's least confident step scored 0.97."
)
