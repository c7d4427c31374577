"""The callback context every handler gets (PTB's contexttypesbot.py style): the bot's services and the user's state.

CONTEXT_TYPES = ContextTypes(context=BotContext, user_data=UserState)
await context.api.ask(question)                  # the API client
context.state.check                              # the user's open /check interview, typed
context.remember(update, PendingAction(RetryKind.STATUS))   # what 重试 would repeat if the call fails
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, cast

from telegram import Update
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.api_client import ApiClient
from bot.ratelimit import UserRateLimiter
from bot.state import PendingAction, UserState
from core.records.pii import mask_text

ANSWER_CACHE_SIZE = 2000


@dataclass
class CachedAnswer:
    """What 查看原文 and 有用/没用 need of an answer: its owner, the masked question and the cited passages."""

    owner: int
    question: str
    citations: list[dict[str, Any]] = field(default_factory=list)
    clarify: list[str] = field(default_factory=list)  # the questions the 问“…” buttons ask, masked
    voted: bool = False
    answer: str = ""  # the answer's text, sent with a vote so reviewers see what got it

    def citation(self, n: int) -> dict[str, Any] | None:
        return next((c for c in self.citations if str(c.get("n")) == str(n)), None)

    def doc_ids(self) -> list[str]:
        return list(dict.fromkeys(str(c["doc_id"]) for c in self.citations))


class AnswerCache:
    """Recent answers by a random key, in memory, for 查看原文 and 有用/没用; a restart forgets them.

    Passages are kept here rather than in the persisted user data so the state file stays small.
    """

    def __init__(self, size: int = ANSWER_CACHE_SIZE) -> None:
        self._size = size
        self._items: OrderedDict[str, CachedAnswer] = OrderedDict()

    def put(self, owner: int, question: str, answer: dict[str, Any]) -> str:
        key = secrets.token_hex(4)  # random, so a button from before a restart never opens another answer
        self._items[key] = CachedAnswer(
            owner=owner,
            question=question,
            answer=str(answer.get("answer") or "")[:2000],
            citations=[
                {k: c.get(k) for k in ("n", "doc_id", "title", "doc_number", "section", "text")}
                for c in answer.get("citations") or []
            ],
            clarify=[mask_text(str(c.get("question") or "")) for c in answer.get("clarify") or []],
        )
        while len(self._items) > self._size:
            self._items.popitem(last=False)
        return key

    def get(self, owner: int, key: str) -> CachedAnswer | None:
        """The answer behind a button, only for the user it was given to (callback data can be forged)."""
        entry = self._items.get(key)
        return entry if entry is not None and entry.owner == owner else None


class BotContext(CallbackContext[ExtBot[None], UserState, dict[Any, Any], dict[Any, Any]]):
    """Callback context with the bot's services and the user's typed state."""

    @property
    def api(self) -> ApiClient:
        return cast(ApiClient, self.bot_data["api"])

    @property
    def answers(self) -> AnswerCache:
        return cast(AnswerCache, self.bot_data["answers"])

    @property
    def limiter(self) -> UserRateLimiter:
        return cast(UserRateLimiter, self.bot_data["limiter"])

    @property
    def state(self) -> UserState:
        """The user's persisted state (every update the bot handles has a user)."""
        return self.user_data if self.user_data is not None else UserState()

    def remember(self, update: Update, action: PendingAction) -> None:
        """Remember what this update asks the API, so that if it fails the 重试 button can do it again."""
        self.state.remember(update.update_id, action)

    def forget(self, update: Update) -> None:
        """The call succeeded: nothing to retry."""
        self.state.forget(update.update_id)


CONTEXT_TYPES = ContextTypes(context=BotContext, user_data=UserState)
