"""Per-key rate limits: requests a minute, and hidden reasoning tokens a minute (where the cost is).

Each key (its id; "-" where the API is open) has two token buckets that refill continuously, as
OpenAI's limits do. A request needs one request and a non-negative token balance to start; what
it decoded is charged when it ends (its cost is not known before), so a large request can take
the balance below zero, and the key then waits until it has paid that back. The headers are
OpenAI's `x-ratelimit-*`, so its SDKs' retry logic reads them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import RateLimited


@dataclass
class Bucket:
    capacity: float  # the limit: what a minute allows
    level: float
    at: float  # when `level` was last brought up to date

    @property
    def per_s(self) -> float:
        return self.capacity / 60.0

    def refill(self, now: float) -> None:
        self.level = min(self.capacity, self.level + (now - self.at) * self.per_s)
        self.at = now

    def seconds_until(self, level: float) -> float:
        """How long until the bucket holds `level` (0 when it does)."""
        return max(0.0, (level - self.level) / self.per_s)


def _duration(seconds: float) -> str:
    """OpenAI's reset format: `1s`, `6m0s`, `0.5s`."""
    if seconds < 60:
        return f"{math.ceil(seconds * 10) / 10:g}s"
    minutes, rest = divmod(math.ceil(seconds), 60)
    return f"{minutes}m{rest}s"


class RateLimits:
    def __init__(
        self,
        requests_per_minute: int | None,
        tokens_per_minute: int | None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limits = {"requests": requests_per_minute, "tokens": tokens_per_minute}
        self._clock = clock
        self._buckets: dict[tuple[str, str], Bucket] = {}

    @property
    def enabled(self) -> bool:
        return any(limit is not None for limit in self._limits.values())

    def _bucket(self, client: str, kind: str) -> Bucket | None:
        limit = self._limits[kind]
        if limit is None:
            return None
        now = self._clock()
        bucket = self._buckets.setdefault((client, kind), Bucket(float(limit), float(limit), now))
        bucket.refill(now)
        return bucket

    def admit(self, client: str) -> None:
        """Take one request from the client's allowance, or raise RateLimited."""
        requests, tokens = self._bucket(client, "requests"), self._bucket(client, "tokens")
        waits = []
        if requests is not None and requests.level < 1:
            waits.append(("requests", requests.seconds_until(1)))
        if tokens is not None and tokens.level < 0:
            waits.append(("reasoning tokens", tokens.seconds_until(0)))
        if waits:
            what, wait = max(waits, key=lambda w: w[1])
            raise RateLimited(
                f"this key's {what} a minute are spent; retry in {math.ceil(wait)} s",
                retry_after_s=wait,
                headers=self.headers(client),
                reason="rate_requests" if what == "requests" else "rate_tokens",
            )
        if requests is not None:
            requests.level -= 1

    def spend(self, client: str, reasoning_tokens: int) -> None:
        """Charge what a request decoded."""
        tokens = self._bucket(client, "tokens")
        if tokens is not None:
            tokens.level -= reasoning_tokens

    def headers(self, client: str) -> dict[str, str]:
        out = {}
        for kind in ("requests", "tokens"):
            bucket = self._bucket(client, kind)
            if bucket is None:
                continue
            out[f"x-ratelimit-limit-{kind}"] = str(int(bucket.capacity))
            out[f"x-ratelimit-remaining-{kind}"] = str(max(0, math.floor(bucket.level)))
            out[f"x-ratelimit-reset-{kind}"] = _duration(bucket.seconds_until(bucket.capacity))
        return out
