"""Plumbing both FastAPI apps share (the API and the reward worker): errors as HTTP responses,
the request id, metrics, and loading engines in the background."""
