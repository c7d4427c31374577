"""The bot's per-user limit (bot.ratelimit) on `limits`' moving window, driven by a fake clock."""

from __future__ import annotations

import limits.storage.memory
import pytest

from bot.ratelimit import UserRateLimiter, Verdict

ALLOWED, LIMITED, SILENT = Verdict.ALLOWED, Verdict.LIMITED, Verdict.SILENT


class FakeTime:
    """Stands in for the `time` module inside limits' MemoryStorage."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    return fake


def test_one_polite_reply_then_silence_until_the_window_moves(clock: FakeTime) -> None:
    limiter = UserRateLimiter(3, 60.0)
    assert [limiter.hit(1) for _ in range(6)] == [ALLOWED, ALLOWED, ALLOWED, LIMITED, SILENT, SILENT]
    assert limiter.hit(2) is ALLOWED  # others are not held up
    clock.now += 59
    assert limiter.hit(1) is SILENT
    clock.now += 2  # the first updates left the window
    assert [limiter.hit(1) for _ in range(4)] == [ALLOWED, ALLOWED, ALLOWED, LIMITED]  # told again


def test_the_window_moves_rather_than_resets(clock: FakeTime) -> None:
    limiter = UserRateLimiter(3, 60.0)
    for step in (0, 30, 29):  # at t = 0, 30, 59
        clock.now += step
        assert limiter.hit(7) is ALLOWED
    clock.now += 2  # t = 61: only the update at t = 0 has left the window
    assert [limiter.hit(7), limiter.hit(7)] == [ALLOWED, LIMITED]
    clock.now += 29.5  # t = 90.5: the one at t = 30 has left too
    assert limiter.hit(7) is ALLOWED


def test_a_refused_update_does_not_count(clock: FakeTime) -> None:
    limiter = UserRateLimiter(2, 10.0)
    assert [limiter.hit(1), limiter.hit(1)] == [ALLOWED, ALLOWED]
    clock.now += 5
    assert [limiter.hit(1), limiter.hit(1)] == [LIMITED, SILENT]
    clock.now += 5.5  # the two allowed updates left the window; the refused ones were never in it
    assert [limiter.hit(1), limiter.hit(1)] == [ALLOWED, ALLOWED]


def test_the_settings_keep_their_meaning(clock: FakeTime) -> None:
    limiter = UserRateLimiter(30, 60.0)
    assert (limiter.max_updates, limiter.period) == (30, 60.0)
    short = UserRateLimiter(1, 0.2)  # limits counts whole seconds: a period under one is one second
    assert [short.hit(1), short.hit(1)] == [ALLOWED, LIMITED]
    clock.now += 0.5
    assert short.hit(1) is SILENT
    clock.now += 0.6
    assert short.hit(1) is ALLOWED
