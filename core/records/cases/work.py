"""The cadres' side: the queue and the list of cases in a jurisdiction, one case, the actions that move it on,
attachments; every read and action audited in its own transaction."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.sql import ColumnElement

from core.cases.workflow import (
    ESCALATES_TO,
    MONITORING_TYPES,
    RISK_LEVELS,
    WAITS_ON,
    Action,
    Level,
    Status,
    may_act,
    transition,
)
from core.errors import InvalidInput, NotFound
from core.records import audit
from core.records.cases.attachments import CaseFiles
from core.records.cases.base import case_clause, overdue_clause
from core.records.cases.outbox import CaseOutbox
from core.records.cases.reports import MAX_NOTE, clean_text
from core.records.cases.tables import Case, CaseAttachment
from core.records.cases.views import AttachmentView, CaseView, CaseWorker
from core.records.households import HouseholdRecords

MAX_LIST = 200


class CaseWork(CaseOutbox, CaseFiles):
    """What cadres and admins do (a part of `CaseRecords`)."""

    def _queue(self, worker: CaseWorker) -> ColumnElement[bool] | None:
        """The cases waiting on the worker's level, and those overdue at the level below (None: an admin)."""
        if worker.level is None:
            return None
        level = Level(worker.level)
        mine = [s.value for s, lv in WAITS_ON.items() if lv is level]
        below = [s for s, lv in WAITS_ON.items() if ESCALATES_TO.get(lv) is level]
        return or_(Case.status.in_(mine), overdue_clause(self.today(), below))

    def list_cases(
        self,
        *,
        worker: CaseWorker,
        status: str | None = None,
        overdue: bool | None = None,
        village: str | None = None,
        queue: bool = False,
    ) -> list[CaseView]:
        """Cases of the worker's jurisdiction, optionally narrowed; `queue`: what waits on them. Oldest due first."""
        conds = case_clause(worker.jurisdiction)
        if status:
            conds.append(Case.status == Status(status).value)
        if village:
            conds.append(Case.village == village)
        if overdue is not None:
            late = overdue_clause(self.today())
            conds.append(late if overdue else ~late)
        if queue:
            mine = self._queue(worker)
            if mine is not None:
                conds.append(mine)
            else:
                conds.append(Case.status.in_([s.value for s in WAITS_ON if s is not Status.RETURNED]))
        with self._db.session() as session:
            cases = session.scalars(
                select(Case).where(*conds).order_by(Case.due.is_(None), Case.due, Case.id).limit(MAX_LIST)
            ).all()
            views = [self.view(session, c, full=False) for c in cases]
            audit.record(
                session,
                actor=worker.actor,
                action="case_list",
                household_nos=list(dict.fromkeys(v.household_no for v in views if v.household_no)) or [None],
                detail=f"cases={len(views)} queue={queue}",
            )
        return views

    def case(self, *, worker: CaseWorker, case_no: str) -> CaseView:
        """One case of the jurisdiction, with its history and attachments; NotFound for any other."""
        with self._db.session() as session:
            case = self.find_case(session, case_no, *case_clause(worker.jurisdiction))
            view = self.view(session, case, full=True)
            audit.record(
                session,
                actor=worker.actor,
                action="case_view",
                household_nos=[view.household_no],
                detail=f"case={case.case_no}",
            )
        return view

    def act(
        self,
        *,
        worker: CaseWorker,
        case_no: str,
        action: str,
        note: str | None = None,
        monitoring_type: str | None = None,
        risk_level: str | None = None,
        household_no: str | None = None,
    ) -> CaseView:
        """Take a step on a case of the jurisdiction; the reporter and the next level are told."""
        try:
            act = Action(action)
        except ValueError:
            raise InvalidInput(f"action must be one of {', '.join(a.value for a in Action)}") from None
        needs_note = act in (Action.REJECT, Action.RETURN, Action.NOTE)
        text = clean_text(note, what="note", limit=MAX_NOTE, required=needs_note)
        if act is Action.DECIDE:
            if monitoring_type not in MONITORING_TYPES:
                raise InvalidInput(f"monitoring_type must be one of {', '.join(MONITORING_TYPES)}")
            if risk_level not in RISK_LEVELS:
                raise InvalidInput(f"risk_level must be one of {', '.join(RISK_LEVELS)}")
        if act is Action.LINK and not household_no:
            raise InvalidInput("name the household_no to link the case to")
        with self._db.session() as session:
            case = self.find_case(session, case_no, *case_clause(worker.jurisdiction), lock=True)
            current = Status(case.status)
            resume = Status(case.resume_status) if case.resume_status else None
            move = transition(current, act, resume=resume)
            may_act(move, worker.level)
            detail: dict[str, object] | None = None
            if act is Action.LINK:
                assert household_no is not None
                household = HouseholdRecords.find_in(
                    session, household_no=household_no, jurisdiction=worker.jurisdiction
                )
                if (household.township, household.village) != (case.township, case.village):
                    raise InvalidInput("the household lives in another village than the case")
                case.household_id = household.id
                detail = {"household_no": household.household_no}
            elif act is Action.RETURN:
                case.resume_status = current.value
            elif act is Action.DECIDE:
                case.monitoring_type, case.risk_level = monitoring_type, risk_level
                assert monitoring_type is not None
                detail = {
                    "monitoring_type": monitoring_type,
                    "risk_level": risk_level,
                    "measures": self._measures_for(case.category, monitoring_type),
                }
            if move.to is not current:
                case.status = move.to.value
                if move.to is not Status.RETURNED:
                    case.resume_status = None
                case.due = self.due_for(move.to)
            case.updated_at = self.now()
            self.add_step(
                session,
                case,
                action=act.value,
                actor_role=worker.actor.role,
                actor=worker.actor.who,
                note=text,
                detail=detail,
            )
            if act not in (Action.NOTE, Action.LINK):
                extra = {k: v for k, v in (detail or {}).items() if k != "household_no"}
                self.notify_reporter(session, case, action=act.value, note=text, **extra)
                self.notify_queue(session, case)
            view = self.view(session, case, full=True)
            audit.record(
                session,
                actor=worker.actor,
                action="case_action",
                household_nos=[view.household_no],
                detail=f"case={case.case_no} action={act.value}",
            )
        return view

    def attach(self, *, worker: CaseWorker, case_no: str, data: bytes) -> AttachmentView:
        """A photo (e.g. of the home visit) added by a cadre to a case of the jurisdiction."""
        with self._db.session() as session:
            case = self.find_case(session, case_no, *case_clause(worker.jurisdiction), lock=True)
            stored = self.store_file(session, case, data=data, uploaded_by=worker.actor.who)
            audit.record(
                session,
                actor=worker.actor,
                action="case_attach",
                household_nos=[self.household_no(session, case)],
                detail=f"case={case.case_no}",
            )
        return stored

    def attachment(self, *, worker: CaseWorker, case_no: str, attachment_id: int) -> tuple[str, bytes]:
        """An attachment's content type and bytes, for a cadre who may see the case; audited."""
        with self._db.session() as session:
            case = self.find_case(session, case_no, *case_clause(worker.jurisdiction))
            row: CaseAttachment | None = self.read_file(session, case, attachment_id)
            if row is None:
                raise NotFound("no such attachment of this case")
            audit.record(
                session,
                actor=worker.actor,
                action="case_attachment",
                household_nos=[self.household_no(session, case)],
                detail=f"case={case.case_no} file={row.id}",
            )
            return row.content_type, bytes(row.data)
