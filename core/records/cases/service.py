"""`CaseRecords`: the reporters' and the cadres' parts of the case store, and its outbox, over one database."""

from __future__ import annotations

from core.records.cases.reports import CaseReports
from core.records.cases.work import CaseWork


class CaseRecords(CaseReports, CaseWork):
    """Hardship reports worked as cases: reporting, the cadres' steps, attachments, notifications, digests."""
