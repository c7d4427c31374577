"""What case reads return: cases with their history and attachments, notifications, who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from core.records.audit import Actor
from core.records.households import Jurisdiction


@dataclass(frozen=True)
class Reporter:
    """A chat user who reports: bound to a household (`household_id`) or not (then with a verified phone)."""

    channel: str
    chat_user_id: str
    household_id: int | None = None
    phone: str | None = None  # the channel-verified phone of an unbound reporter; hashed, never stored

    def actor(self) -> Actor:
        return Actor(role="household", who=f"chat:{self.chat_user_id}", channel=self.channel)


@dataclass(frozen=True)
class CaseWorker:
    """A cadre (with the level of their account) or an admin (`level` None: any step) acting on cases."""

    actor: Actor
    jurisdiction: Jurisdiction
    level: str | None


@dataclass(frozen=True)
class NewReport:
    """What a report says; `township`/`village` name the place when the reporter is not reporting for their
    own bound household."""

    category: str
    description: str
    amount_range: str = "unknown"
    urgent: bool = False
    on_behalf: bool = False
    township: str | None = None
    village: str | None = None


@dataclass(frozen=True)
class StepView:
    action: str
    status: str
    at: datetime
    note: str | None
    due: date | None
    actor_role: str
    actor: str
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class AttachmentView:
    id: int
    content_type: str
    size: int
    uploaded_by: str
    created_at: datetime


@dataclass(frozen=True)
class CaseView:
    case_no: str
    status: str
    township: str
    village: str
    household_no: str | None
    category: str
    description: str
    amount_range: str
    urgent: bool
    on_behalf: bool
    reporter_phone_masked: str | None
    due: date | None
    overdue: bool
    waits_on: str | None
    monitoring_type: str | None
    risk_level: str | None
    created_at: datetime
    updated_at: datetime
    history: list[StepView] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)
    measures: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class ReportReceipt:
    """The answer to a report: the case it opened, or the open case it was merged into (`merged`)."""

    case: CaseView
    merged: bool


@dataclass(frozen=True)
class NotificationView:
    id: int
    chat_user_id: str
    kind: str
    case_no: str | None
    payload: dict[str, Any]
