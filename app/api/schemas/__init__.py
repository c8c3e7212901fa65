"""Public request and response models of the API, one module per dialect.

These are separate from the service's internal records on purpose: no model here has a field
for a raw chain of thought, so one cannot be serialised into a response by accident.
"""
