"""Flow control for incoming updates: a per-user rate limit, and one update at a time per user.

Telegram's own flood limits on what the bot sends are handled by PTB's `AIORateLimiter` (see `bot.app`)::

    limiter = UserRateLimiter(max_updates=20, period=60.0)
    verdict = limiter.hit(user_id)        # ALLOWED, or LIMITED (reply once politely), or SILENT (drop quietly)
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class Verdict(enum.Enum):
    ALLOWED = "allowed"
    LIMITED = "limited"  # the first update over the limit: tell the user once
    SILENT = "silent"  # further updates in the same window: drop without a reply


class UserRateLimiter:
    """Sliding-window limit of updates per user, in memory (a restart forgives everyone)."""

    def __init__(
        self,
        max_updates: int = 20,
        period: float = 60.0,
        *,
        max_users: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_updates = max_updates
        self.period = period
        self._max_users = max_users
        self._clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def hit(self, user_id: int) -> Verdict:
        """Count one update of `user_id` and say whether it may be handled."""
        now = self._clock()
        hits = self._hits.get(user_id)
        if hits is None:
            if len(self._hits) >= self._max_users:
                self._forget_idle(now)
            hits = self._hits[user_id] = deque()
        while hits and hits[0] <= now - self.period:
            hits.popleft()
        if len(hits) < self.max_updates:
            hits.append(now)
            return Verdict.ALLOWED
        warned = self._warned.get(user_id)
        if warned is not None and warned > now - self.period:
            return Verdict.SILENT
        self._warned[user_id] = now
        return Verdict.LIMITED

    def _forget_idle(self, now: float) -> None:
        for user_id in [u for u, h in self._hits.items() if not h or h[-1] <= now - self.period]:
            del self._hits[user_id]
            self._warned.pop(user_id, None)


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
