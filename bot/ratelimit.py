"""Flow control for incoming updates: a per-user rate limit, and one update at a time per user.

Telegram's own flood limits on what the bot sends are handled by PTB's `AIORateLimiter` (see `bot.app`)::

    limiter = UserRateLimiter(max_updates=20, period=60.0)
    verdict = limiter.hit(user_id)        # ALLOWED, or LIMITED (reply once politely), or SILENT (drop quietly)
"""

from __future__ import annotations

import asyncio
import enum
import math
from collections.abc import Awaitable
from typing import Any

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from telegram import Update
from telegram.ext import BaseUpdateProcessor


class Verdict(enum.Enum):
    ALLOWED = "allowed"
    LIMITED = "limited"  # the first update over the limit: tell the user once
    SILENT = "silent"  # further updates in the same window: drop without a reply


class UserRateLimiter:
    """Moving-window limit of updates per user (`limits`), in memory: a restart forgives everyone.

    A second moving window of one per period decides whether a user over the limit is told (LIMITED) or has
    already been told in this period (SILENT). `limits` counts in whole seconds, so `period` is rounded up.
    Entries expire on their own, so users who went quiet cost no memory.
    """

    def __init__(self, max_updates: int = 20, period: float = 60.0) -> None:
        self.max_updates = max_updates
        self.period = period
        seconds = max(1, math.ceil(period))
        self._updates = RateLimitItemPerSecond(max_updates, seconds, namespace="bot-updates")
        self._warnings = RateLimitItemPerSecond(1, seconds, namespace="bot-warned")
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def hit(self, user_id: int) -> Verdict:
        """Count one update of `user_id` and say whether it may be handled."""
        user = str(user_id)
        if self._limiter.hit(self._updates, user):
            return Verdict.ALLOWED
        return Verdict.LIMITED if self._limiter.hit(self._warnings, user) else Verdict.SILENT


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Updates of different users run concurrently (a slow API call holds up nobody else); one user's updates
    run one after another, so a conversation never sees its own updates out of order."""

    def __init__(self, max_concurrent_updates: int = 16) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:
            await coroutine
            return
        key = user.id
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:  # nobody else queued for this user: forget the lock
                del self._waiting[key]
                self._locks.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
