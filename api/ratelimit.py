"""Per-key and per-address rate limits (moving window, from the `limits` library).

Which limits apply to a call:

- no key, or an unknown key: the per-address limit (so guessing keys is slow too);
- a portal key: the portal key's limit for all its users together, and the per-address limit for each
  visitor of the portal (a widget's key is public, one visitor must not use up everyone's share);
- a channel key (a bot): the channel limit; the bot limits its own chat users;
- an admin key: the admin limit;
- a workbench session (cookie, no key): the admin limit, per session.

Counters live in memory (one process) or in Redis (`BANGFU_RATE_LIMIT_STORAGE=redis://…`), shared by
replicas. A refused call gets 429 with `Retry-After`; every limited call gets `X-RateLimit-Limit` and
`X-RateLimit-Remaining` of its tightest limit.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from core.records.identity import Client
from core.settings import Settings


@dataclass(frozen=True)
class Decision:
    """The outcome of one call against its limits."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until a refused call may succeed (0 when allowed)


class RateLimiter:
    """Applies the configured limits to a caller: its key (if any) and its address."""

    def __init__(self, settings: Settings) -> None:
        self._storage = storage_from_string(settings.rate_limit_storage)
        self._limiter = MovingWindowRateLimiter(self._storage)
        self._per_ip = parse(settings.rate_limit_per_ip)
        self._per_role = {
            "portal": parse(settings.rate_limit_portal),
            "channel": parse(settings.rate_limit_channel),
            "admin": parse(settings.rate_limit_admin),
        }

    def _buckets(self, client: Client | None, address: str) -> list[tuple[RateLimitItem, str]]:
        if client is None:
            return [(self._per_ip, f"ip:{address}")]
        own = (self._per_role[client.role], f"key:{client.name}")
        if client.role == "portal":
            return [own, (self._per_ip, f"ip:{client.name}:{address}")]
        return [own]

    def hit(self, client: Client | None, address: str) -> Decision:
        """Count one call; refused when any of its limits is exhausted (a refused call is not counted)."""
        buckets = self._buckets(client, address)
        for item, key in buckets:
            if not self._limiter.test(item, "bangfu", key):
                reset, _ = self._limiter.get_window_stats(item, "bangfu", key)
                return Decision(False, item.amount, 0, max(1, math.ceil(reset - time.time())))
        remaining = []
        for item, key in buckets:
            self._limiter.hit(item, "bangfu", key)
            stats = self._limiter.get_window_stats(item, "bangfu", key)
            remaining.append((stats.remaining, item.amount))
        left, amount = min(remaining)
        return Decision(True, amount, left, 0)

    def hit_session(self, session_id: int | None) -> Decision:
        """Count one call of a workbench session (the admin limit, per session)."""
        item, key = self._per_role["admin"], f"session:{session_id}"
        if not self._limiter.test(item, "bangfu", key):
            reset, _ = self._limiter.get_window_stats(item, "bangfu", key)
            return Decision(False, item.amount, 0, max(1, math.ceil(reset - time.time())))
        self._limiter.hit(item, "bangfu", key)
        stats = self._limiter.get_window_stats(item, "bangfu", key)
        return Decision(True, item.amount, stats.remaining, 0)

    def reset(self) -> None:
        """Forget every counter (tests)."""
        self._storage.reset()
