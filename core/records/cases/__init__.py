"""Cases in the SQL database: hardship reports (防返贫 自主申报), their steps, attachments and notifications.

The procedure itself (statuses, who takes which step, working-day deadlines) is `core.cases`; this package
stores it. Every read of a case and every step is audit-logged in the same transaction; a reporter's phone is
kept only hashed and masked::

    cases = CaseRecords(db, hasher, settings, clock=system_clock, measures_for=lambda category, kind: [])
    receipt = cases.report(reporter=Reporter("telegram", "42", household_id=7), report=NewReport("因病", "…"))
    cases.act(worker=worker, case_no=receipt.case.case_no, action="verify", note="入户核实，情况属实")
    cases.claim(channel="telegram")   # the reporter's notification of the step, for the bot to deliver

| module | holds |
|---|---|
| `tables` | the ORM tables (cases, steps, attachments, notifications) |
| `views` | what reads return, and who is reporting or acting |
| `base` | shared helpers: the clock, deadlines, finding and showing a case |
| `attachments` | photos and voice notes: recognised by content, size-limited |
| `outbox` | notifications claimed and acknowledged by a channel; the morning digest |
| `reports` | the reporter's side |
| `work` | the cadres' side |
| `service` | `CaseRecords` |
"""

from core.records.cases.attachments import CONTENT_TYPES, sniff
from core.records.cases.base import CASE_NO_PATTERN
from core.records.cases.service import CaseRecords
from core.records.cases.tables import Case, CaseAttachment, CaseNotification, CaseStep
from core.records.cases.views import (
    AttachmentView,
    CaseView,
    CaseWorker,
    NewReport,
    NotificationView,
    Reporter,
    ReportReceipt,
    StepView,
)

__all__ = [
    "CASE_NO_PATTERN",
    "CONTENT_TYPES",
    "AttachmentView",
    "Case",
    "CaseAttachment",
    "CaseNotification",
    "CaseRecords",
    "CaseStep",
    "CaseView",
    "CaseWorker",
    "NewReport",
    "NotificationView",
    "ReportReceipt",
    "Reporter",
    "StepView",
    "sniff",
]
