"""What the bot remembers per user between updates (and across a restart), typed, and how it is persisted.

`UserState` is the `user_data` of every callback (`ContextTypes(user_data=UserState)`): the open /check
interview, the binding code between /bind's two steps, the actions a 重试 button can repeat and the id of the
API conversation follow-up questions are read in. It never
holds a phone number, and questions in it are masked.

The persistence file keeps plain dicts in the layout older versions of the bot wrote
(``{"check": {...}, "bind_code": "K7M2Q9PX", "retry": {"<update_id>": {"kind": "ask", ...}}}``), so an
interview or a binding that was open before an upgrade — or a rollback — carries on::

    state = UserState.from_dict({"bind_code": "K7M2Q9PX"})
    state.to_dict()                                         # {'bind_code': 'K7M2Q9PX'}
    StatePersistence(path, ...)                             # PicklePersistence that stores `to_dict()`
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from telegram.ext import PicklePersistence

logger = logging.getLogger(__name__)

MAX_RETRIES = 5  # failed actions per user that keep a working 重试 button
CHECKLIST = "checklist"  # next_question.kind of a tick-what-applies question


# -- the /check interview ------------------------------------------------------------------------------------------
@dataclass
class Option:
    """One answer button of an open question: its label and the fact's value (or, in a checklist, the fact)."""

    label: str
    value: Any = None
    fact: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Option:
        return cls(label=str(data.get("label", "")), value=data.get("value"), fact=data.get("fact"))

    def to_dict(self, *, checklist: bool) -> dict[str, Any]:
        if checklist:
            return {"label": self.label, "fact": self.fact}
        return {"label": self.label, "value": self.value}


@dataclass
class OpenQuestion:
    """The question on screen: one fact with answer buttons (none: a number is typed), or a checklist."""

    question: str
    options: list[Option] = field(default_factory=list)
    fact: str | None = None  # the fact a single-choice or number question sets
    checklist: bool = False
    ticked: list[str] = field(default_factory=list)  # facts ticked so far (checklist)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> OpenQuestion:
        """The API's `next_question`."""
        checklist = data.get("kind") == CHECKLIST
        return cls(
            question=str(data["question"]),
            options=[Option.from_dict(o) for o in data.get("options") or []],
            fact=None if checklist else str(data["fact"]),
            checklist=checklist,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OpenQuestion:
        checklist = data.get("kind") == CHECKLIST
        return cls(
            question=str(data.get("question", "")),
            options=[Option.from_dict(o) for o in data.get("options") or []],
            fact=data.get("fact"),
            checklist=checklist,
            ticked=[str(f) for f in data.get("ticked") or []],
        )

    def to_dict(self) -> dict[str, Any]:
        options = [o.to_dict(checklist=self.checklist) for o in self.options]
        if self.checklist:
            return {
                "kind": CHECKLIST,
                "question": self.question,
                "options": options,
                "ticked": list(self.ticked),
            }
        return {"fact": self.fact, "question": self.question, "options": options}

    def option(self, index: int) -> Option | None:
        return self.options[index] if 0 <= index < len(self.options) else None


@dataclass
class Interview:
    """An open /check interview.

    `record` is None until the API has said whether the chat user is bound to a household; True while their
    household's record fills in what it states (POST /v1/me/eligibility); False for everyone else (unbound
    users, cadres) and after 档案不对，我自己回答 (POST /v1/eligibility). Only the user's answers are kept in
    `facts`: the record's facts stay with the API, which reads (and audits) them on each call.
    """

    facts: dict[str, Any] = field(default_factory=dict)
    asked: int = 0
    question: OpenQuestion | None = None
    message_id: int | None = None  # the message the open question's buttons are on
    record: bool | None = None
    noted: bool = False  # the record's note was shown

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Interview:
        question = data.get("question")
        return cls(
            facts=dict(data.get("facts") or {}),
            asked=int(data.get("asked") or 0),
            question=OpenQuestion.from_dict(question) if question else None,
            message_id=data.get("message_id"),
            record=data.get("record"),
            noted=bool(data.get("noted")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "facts": dict(self.facts),
            "asked": self.asked,
            "question": self.question.to_dict() if self.question else None,
            "message_id": self.message_id,
            "record": self.record,
            "noted": self.noted,
        }


# -- 重试 -------------------------------------------------------------------------------------------------------------
class RetryKind(enum.StrEnum):
    ASK = "ask"
    STATUS = "status"
    PAYMENTS = "payments"
    HELPER = "helper"
    MEASURE = "measure"
    CHECK = "check"  # retried through 继续查资格, not 重试


@dataclass
class PendingAction:
    """What an update asked the API, kept until the call succeeds so 重试 can repeat it."""

    kind: RetryKind
    question: str | None = None  # ASK: the question, masked
    item: str | None = None  # PAYMENTS: the item asked about
    measure_id: str | None = None  # MEASURE

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PendingAction | None:
        try:
            kind = RetryKind(str(data.get("kind")))
        except ValueError:
            return None
        return cls(
            kind, question=data.get("question"), item=data.get("item"), measure_id=data.get("measure_id")
        )

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind.value}
        if self.kind is RetryKind.ASK:
            data["question"] = self.question
        elif self.kind is RetryKind.PAYMENTS:
            data["item"] = self.item
        elif self.kind is RetryKind.MEASURE:
            data["measure_id"] = self.measure_id
        return data


# -- /report and a cadre's step on a case --------------------------------------------------------------------------
MAX_FILES = 6  # photos and voice notes one report carries


@dataclass
class ReportDraft:
    """A hardship report being put together. Photos and voice notes are kept as Telegram file ids only (the
    files go from Telegram to the API when the report is sent); a phone number is never kept here: an unbound
    reporter shares their contact as the last step and it goes straight to the API."""

    bound: bool = False  # the reporter is a bound household (their village is known to the API)
    on_behalf: bool = False
    township: str | None = None
    village: str | None = None
    villages: list[list[str]] = field(default_factory=list)  # (township, village) offered as buttons
    category: str | None = None
    description: str = ""
    files: list[list[str]] = field(default_factory=list)  # (file_id, "photo" | "voice")
    amount_range: str | None = None
    urgent: bool | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReportDraft:
        return cls(
            bound=bool(data.get("bound")),
            on_behalf=bool(data.get("on_behalf")),
            township=data.get("township"),
            village=data.get("village"),
            villages=[[str(t), str(v)] for t, v in data.get("villages") or []],
            category=data.get("category"),
            description=str(data.get("description") or ""),
            files=[[str(f), str(k)] for f, k in data.get("files") or []][:MAX_FILES],
            amount_range=data.get("amount_range"),
            urgent=data.get("urgent"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "bound": self.bound,
            "on_behalf": self.on_behalf,
            "township": self.township,
            "village": self.village,
            "villages": [list(p) for p in self.villages],
            "category": self.category,
            "description": self.description,
            "files": [list(f) for f in self.files],
            "amount_range": self.amount_range,
            "urgent": self.urgent,
        }


@dataclass
class CaseDraft:
    """A cadre's step on a case waiting for its choices (a decision's type and colour) and note."""

    case_id: str
    action: str
    monitoring_type: str | None = None
    risk_level: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CaseDraft:
        return cls(
            case_id=str(data.get("case_id")),
            action=str(data.get("action")),
            monitoring_type=data.get("monitoring_type"),
            risk_level=data.get("risk_level"),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "action": self.action,
            "monitoring_type": self.monitoring_type,
            "risk_level": self.risk_level,
        }


# -- the user --------------------------------------------------------------------------------------------------------
@dataclass
class UserState:
    """A user's `user_data`: the open interview, the code between /bind's steps, and what 重试 can repeat."""

    check: Interview | None = None
    bind_code: str | None = None
    retry: dict[str, PendingAction] = field(default_factory=dict)  # by update_id, oldest first
    # The API's conversation of this (private) chat: follow-up questions are read in it. The API keeps the
    # questions; the bot only its id, which the API replaces when the conversation expired.
    conversation_id: str | None = None
    report: ReportDraft | None = None  # an open /report
    case_draft: CaseDraft | None = None  # a cadre's step waiting for its note

    def remember(self, update_id: int, action: PendingAction) -> None:
        """Keep `action` for a 重试 of update `update_id`; only the last few failures can be retried."""
        self.retry[str(update_id)] = action
        for key in list(self.retry)[:-MAX_RETRIES]:
            del self.retry[key]

    def forget(self, update_id: int) -> None:
        self.retry.pop(str(update_id), None)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> UserState:
        """A state persisted as a dict (by this or an older version of the bot)."""
        check = data.get("check")
        retry = {}
        for key, value in (data.get("retry") or {}).items():
            action = PendingAction.from_dict(value) if isinstance(value, Mapping) else None
            if action is not None:
                retry[str(key)] = action
        code = data.get("bind_code")
        conversation = data.get("conversation_id")
        report, case_draft = data.get("report"), data.get("case_draft")
        return cls(
            report=ReportDraft.from_dict(report) if isinstance(report, Mapping) else None,
            case_draft=CaseDraft.from_dict(case_draft) if isinstance(case_draft, Mapping) else None,
            check=Interview.from_dict(check) if isinstance(check, Mapping) else None,
            bind_code=str(code) if code else None,
            retry=retry,
            conversation_id=str(conversation) if conversation else None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The persisted form: keys only for what is set, as older versions wrote it."""
        data: dict[str, Any] = {}
        if self.check is not None:
            data["check"] = self.check.to_dict()
        if self.bind_code is not None:
            data["bind_code"] = self.bind_code
        if self.retry:
            data["retry"] = {key: action.to_dict() for key, action in self.retry.items()}
        if self.conversation_id is not None:
            data["conversation_id"] = self.conversation_id
        if self.report is not None:
            data["report"] = self.report.to_dict()
        if self.case_draft is not None:
            data["case_draft"] = self.case_draft.to_dict()
        return data


class StatePersistence(PicklePersistence[Any, dict[Any, Any], dict[Any, Any]]):
    """PTB's PicklePersistence with `UserState` kept as a plain dict on disk (see the module docstring)."""

    async def get_user_data(self) -> dict[int, Any]:
        """The persisted states as `UserState`, whatever form the file holds them in."""
        loaded = await super().get_user_data()
        states: dict[int, Any] = {}
        for user_id, data in loaded.items():
            if isinstance(data, UserState):
                states[user_id] = data
            elif isinstance(data, Mapping):
                states[user_id] = UserState.from_dict(data)
            else:  # unreadable: the user starts afresh rather than the bot failing to start
                logger.warning("dropped a persisted user state of type %s", type(data).__name__)
        return states

    async def update_user_data(self, user_id: int, data: Any) -> None:
        """Store `data` (a `UserState`) as its dict."""
        await super().update_user_data(user_id, data.to_dict() if isinstance(data, UserState) else data)
