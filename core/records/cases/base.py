"""What the parts of `CaseRecords` share: settings, clock and calendar, finding a case, building its view."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.cases.calendar import Clock, WorkingCalendar, today_in_china
from core.cases.workflow import OPEN, WAITS_ON, Level, Status, step_days
from core.errors import NotFound
from core.records.cases.tables import Case, CaseAttachment, CaseStep
from core.records.cases.views import AttachmentView, CaseView, StepView
from core.records.db import Database
from core.records.households import Household, Jurisdiction
from core.records.pii import PiiHasher
from core.settings import Settings

CASE_NO_PATTERN = r"^FY\d{6}-\d{4,10}$"
_CASE_NO = re.compile(CASE_NO_PATTERN)

# Measures found for a decision: (category, monitoring type) → [{"id", "name"}] (composed in core.services).
MeasuresFor = Callable[[str, str], list[dict[str, str]]]
TIMED = (Status.REPORTED, Status.VILLAGE_VERIFIED, Status.TOWNSHIP_REVIEWED)
HIDDEN_FROM_HOUSEHOLD = {"note", "link"}  # cadres' own remarks and record-keeping


def case_clause(jurisdiction: Jurisdiction) -> list[ColumnElement[bool]]:
    """WHERE conditions selecting the cases of a jurisdiction (by the case's place)."""
    conds: list[ColumnElement[bool]] = []
    if jurisdiction.township is not None:
        conds.append(Case.township == jurisdiction.township)
    if jurisdiction.village is not None:
        conds.append(Case.village == jurisdiction.village)
    return conds


def overdue_clause(today: date, statuses: Sequence[Status] = TIMED) -> ColumnElement[bool]:
    return and_(Case.status.in_([s.value for s in statuses]), Case.due.is_not(None), Case.due < today)


class CaseBase:
    """State and helpers of the case store (the parts are mixins over it, as `Identity`'s are)."""

    def __init__(
        self,
        db: Database,
        hasher: PiiHasher,
        settings: Settings,
        *,
        clock: Clock,
        calendar: WorkingCalendar | None = None,
        measures_for: MeasuresFor | None = None,
    ) -> None:
        self._db = db
        self._hasher = hasher
        self._settings = settings
        self._clock = clock
        self.calendar = calendar or WorkingCalendar()
        self._measures_for = measures_for or (lambda category, monitoring_type: [])

    # -- time ------------------------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self._clock()

    def today(self) -> date:
        """Today in China: deadlines are China's calendar days."""
        return today_in_china(self._clock)

    def due_for(self, status: Status) -> date | None:
        """The deadline of the step a case reaching `status` today waits on (None when nobody is timed)."""
        level = WAITS_ON.get(status)
        if level is None or level is Level.HOUSEHOLD:
            return None
        s = self._settings
        days = step_days(
            level, village=s.case_days_village, township=s.case_days_township, county=s.case_days_county
        )
        return self.calendar.add_working_days(self.today(), days) if days else None

    # -- finding and showing -----------------------------------------------------------------------------------
    @staticmethod
    def valid_case_no(case_no: str) -> str:
        case_no = case_no.strip().upper()
        if not _CASE_NO.match(case_no):
            raise NotFound("no such case")
        return case_no

    def find_case(
        self, session: Session, case_no: str, *conds: ColumnElement[bool], lock: bool = False
    ) -> Case:
        """The case with this number among those `conds` select; the same NotFound whether or not it exists."""
        query = select(Case).where(Case.case_no == self.valid_case_no(case_no), *conds)
        case = session.scalar(query.with_for_update() if lock else query)
        if case is None:
            raise NotFound("no such case, or not one you may see")
        return case

    @staticmethod
    def household_no(session: Session, case: Case) -> str | None:
        if case.household_id is None:
            return None
        return session.scalar(select(Household.household_no).where(Household.id == case.household_id))

    def is_overdue(self, case: Case, today: date | None = None) -> bool:
        return (
            case.status in {s.value for s in TIMED}
            and case.due is not None
            and case.due < (today or self.today())
        )

    def view(self, session: Session, case: Case, *, full: bool, for_household: bool = False) -> CaseView:
        """The case as a reader sees it: `full` with history and attachments; a household without remarks."""
        status = Status(case.status)
        history: list[StepView] = []
        attachments: list[AttachmentView] = []
        measures: list[dict[str, str]] = []
        if full:
            steps = session.scalars(
                select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.at, CaseStep.id)
            ).all()
            for step in steps:
                if step.action == "decide" and step.detail:
                    measures = list(step.detail.get("measures") or [])
                if for_household and step.action in HIDDEN_FROM_HOUSEHOLD:
                    continue
                history.append(
                    StepView(
                        action=step.action,
                        status=step.status,
                        at=step.at,
                        note=step.note,
                        due=step.due,
                        actor_role=step.actor_role,
                        actor="" if for_household else step.actor,
                        detail=None if for_household else step.detail,
                    )
                )
            if not for_household:
                attachments = [
                    AttachmentView(a.id, a.content_type, a.size, a.uploaded_by, a.created_at)
                    for a in session.execute(
                        select(
                            CaseAttachment.id,
                            CaseAttachment.content_type,
                            CaseAttachment.size,
                            CaseAttachment.uploaded_by,
                            CaseAttachment.created_at,
                        )
                        .where(CaseAttachment.case_id == case.id)
                        .order_by(CaseAttachment.id)
                    )
                ]
        waits = WAITS_ON.get(status)
        return CaseView(
            case_no=case.case_no,
            status=case.status,
            township=case.township,
            village=case.village,
            household_no=self.household_no(session, case),
            category=case.category,
            description=case.description,
            amount_range=case.amount_range,
            urgent=case.urgent,
            on_behalf=case.on_behalf,
            reporter_phone_masked=None if for_household else case.reporter_phone_masked,
            due=case.due if status in OPEN else None,
            overdue=self.is_overdue(case),
            waits_on=waits.value if waits else None,
            monitoring_type=case.monitoring_type,
            risk_level=case.risk_level,
            created_at=case.created_at,
            updated_at=case.updated_at,
            history=history,
            attachments=attachments,
            measures=measures,
        )

    def add_step(
        self,
        session: Session,
        case: Case,
        *,
        action: str,
        actor_role: str,
        actor: str,
        note: str | None,
        detail: dict[str, Any] | None = None,
    ) -> CaseStep:
        step = CaseStep(
            case_id=case.id,
            action=action,
            status=case.status,
            actor_role=actor_role,
            actor=actor[:120],
            note=note,
            due=case.due if Status(case.status) in OPEN else None,
            detail=detail,
            at=self.now(),
        )
        session.add(step)
        session.flush()
        return step


def reporter_match(channel: str, chat_user_id: str, household_id: int | None) -> ColumnElement[bool]:
    """The cases a chat user may follow: those they reported, and (bound) those of their household."""
    own = and_(Case.reporter_channel == channel, Case.reporter_chat_user_id == chat_user_id)
    return or_(own, Case.household_id == household_id) if household_id is not None else own
