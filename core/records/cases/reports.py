"""The reporter's side: filing a report (or merging it into the open one), following one's reports, answering a
return with more material, withdrawing, attaching photos and voice notes."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.cases.workflow import AMOUNT_RANGES, CATEGORIES, FINAL, OPEN, Action, Status, transition
from core.errors import InvalidInput, NotFound
from core.records import audit
from core.records.cases.attachments import CaseFiles
from core.records.cases.base import reporter_match
from core.records.cases.outbox import CaseOutbox
from core.records.cases.tables import Case
from core.records.cases.views import AttachmentView, CaseView, NewReport, Reporter, ReportReceipt
from core.records.households import Household
from core.records.pii import mask_phone, normalize_phone

MAX_DESCRIPTION = 1000
MAX_NOTE = 500


def clean_text(value: str | None, *, what: str, limit: int, required: bool = True) -> str | None:
    text = (value or "").strip()
    if not text:
        if required:
            raise InvalidInput(f"the {what} is empty; say in a few words what happened")
        return None
    if len(text) > limit:
        raise InvalidInput(f"the {what} is longer than {limit} characters; keep it short")
    if "\x00" in text:
        raise InvalidInput(f"the {what} holds a NUL character")
    return text


class CaseReports(CaseOutbox, CaseFiles):
    """What reporters do (a part of `CaseRecords`)."""

    def villages(self) -> list[tuple[str, str]]:
        """The county's villages (township, village), from the household records."""
        with self._db.read_session() as session:
            rows = session.execute(
                select(Household.township, Household.village)
                .distinct()
                .order_by(Household.township, Household.village)
            ).all()
        return [(t, v) for t, v in rows]

    def report(self, *, reporter: Reporter, report: NewReport) -> ReportReceipt:
        """Open a case, or merge into the reporter's open case of the same household and category (24 h)."""
        if report.category not in CATEGORIES:
            raise InvalidInput(f"category must be one of {', '.join(CATEGORIES)}")
        if report.amount_range not in AMOUNT_RANGES:
            raise InvalidInput(f"amount_range must be one of {', '.join(AMOUNT_RANGES)}")
        description = clean_text(report.description, what="description", limit=MAX_DESCRIPTION)
        assert description is not None
        phone = normalize_phone(reporter.phone) if reporter.phone else None
        if reporter.household_id is None and phone is None:
            raise InvalidInput("an unbound reporter needs a phone number the channel verified")
        now = self.now()
        with self._db.session() as session:
            own = (
                None
                if report.on_behalf or reporter.household_id is None
                else session.get(Household, reporter.household_id)
            )
            if own is not None:
                township, village = own.township, own.village
            else:
                township, village = self._county_village(session, report.township, report.village)
            household_id = own.id if own is not None else None
            phone_hash = self._hasher.phone_hash(phone) if phone else None
            if household_id is None and phone_hash and not report.on_behalf:
                household_id = session.scalar(  # the reporter's own household, found by the phone on record
                    select(Household.id).where(
                        Household.township == township,
                        Household.village == village,
                        Household.phone_hash == phone_hash,
                    )
                )
            open_case = self._mergeable(
                session,
                reporter,
                household_id,
                report.category,
                township,
                village,
                since=now - timedelta(hours=self._settings.case_merge_hours),
            )
            actor = reporter.actor()
            if open_case is not None:
                self.add_step(
                    session,
                    open_case,
                    action="merge",
                    actor_role="household",
                    actor=actor.who,
                    note=description,
                )
                open_case.updated_at = now
                if report.urgent:
                    open_case.urgent = True
                audit.record(
                    session,
                    actor=actor,
                    action="case_merge",
                    household_nos=[self.household_no(session, open_case)],
                    detail=f"case={open_case.case_no}",
                )
                return ReportReceipt(
                    self.view(session, open_case, full=True, for_household=True), merged=True
                )
            case = Case(
                case_no=f"new-{secrets.token_hex(8)}",  # unique until the row's id names it
                household_id=household_id,
                township=township,
                village=village,
                category=report.category,
                description=description,
                amount_range=report.amount_range,
                urgent=report.urgent,
                on_behalf=report.on_behalf,
                reporter_channel=reporter.channel,
                reporter_chat_user_id=reporter.chat_user_id,
                reporter_phone_hash=phone_hash,
                reporter_phone_masked=mask_phone(phone) if phone else None,
                status=Status.REPORTED.value,
                resume_status=None,
                due=self.due_for(Status.REPORTED),
                created_at=now,
                updated_at=now,
            )
            session.add(case)
            session.flush()
            case.case_no = f"FY{self.today():%y%m%d}-{case.id:04d}"
            self.add_step(session, case, action="report", actor_role="household", actor=actor.who, note=None)
            self.notify_queue(session, case)
            audit.record(
                session,
                actor=actor,
                action="case_report",
                household_nos=[self.household_no(session, case)],
                detail=f"case={case.case_no} on_behalf={report.on_behalf}",
            )
            return ReportReceipt(self.view(session, case, full=True, for_household=True), merged=False)

    def _county_village(self, session: Session, township: str | None, village: str | None) -> tuple[str, str]:
        if not village:
            raise InvalidInput("name the village (from the county's list) the household lives in")
        query = select(Household.township, Household.village).where(Household.village == village.strip())
        if township:
            query = query.where(Household.township == township.strip())
        places = session.execute(query.distinct()).all()
        if not places:
            raise InvalidInput("this village is not on the county's list")
        if len(places) > 1:
            raise InvalidInput("there are villages of this name in several townships; name the township too")
        return places[0][0], places[0][1]

    def _mergeable(
        self,
        session: Session,
        reporter: Reporter,
        household_id: int | None,
        category: str,
        township: str,
        village: str,
        *,
        since: object,
    ) -> Case | None:
        conds = [
            Case.category == category,
            Case.status.in_([s.value for s in OPEN]),
            Case.created_at >= since,
        ]
        if household_id is not None:
            conds.append(Case.household_id == household_id)
        else:
            conds += [
                Case.reporter_channel == reporter.channel,
                Case.reporter_chat_user_id == reporter.chat_user_id,
                Case.township == township,
                Case.village == village,
            ]
        return session.scalar(select(Case).where(*conds).order_by(Case.id.desc()).limit(1).with_for_update())

    # -- following one's reports --------------------------------------------------------------------------------
    def my_reports(self, *, reporter: Reporter) -> list[CaseView]:
        """The chat user's reports (and, when bound, their household's cases), newest first; audited."""
        match = reporter_match(reporter.channel, reporter.chat_user_id, reporter.household_id)
        with self._db.session() as session:
            cases = session.scalars(select(Case).where(match).order_by(Case.id.desc()).limit(50)).all()
            views = [self._reporter_view(session, c, reporter) for c in cases]
            audit.record(
                session,
                actor=reporter.actor(),
                action="case_my_reports",
                household_nos=list(dict.fromkeys(v.household_no for v in views)) or [None],
                detail=f"cases={len(views)}",
            )
        return views

    def _reporter_view(self, session: Session, case: Case, reporter: Reporter) -> CaseView:
        view = self.view(session, case, full=True, for_household=True)
        if case.on_behalf and (reporter.household_id is None or case.household_id != reporter.household_id):
            # A neighbour follows the steps of the case they reported, not the household's decision.
            history = [dataclasses.replace(s, note=None) for s in view.history]
            view = dataclasses.replace(
                view, history=history, monitoring_type=None, risk_level=None, measures=[], household_no=None
            )
        return view

    def _own_case(self, session: Session, reporter: Reporter, case_no: str) -> Case:
        return self.find_case(
            session,
            case_no,
            reporter_match(reporter.channel, reporter.chat_user_id, reporter.household_id),
            lock=True,
        )

    def answer_return(self, *, reporter: Reporter, case_no: str, note: str) -> CaseView:
        """More material for a returned case: it goes back to the step that returned it, with a new deadline."""
        text = clean_text(note, what="note", limit=MAX_NOTE)
        with self._db.session() as session:
            case = self._own_case(session, reporter, case_no)
            if case.status != Status.RETURNED.value:
                raise InvalidInput("the case is not waiting for more material")
            back = Status(case.resume_status or Status.REPORTED.value)
            case.status, case.resume_status = back.value, None
            case.due, case.updated_at = self.due_for(back), self.now()
            self.add_step(
                session,
                case,
                action="resubmit",
                actor_role="household",
                actor=reporter.actor().who,
                note=text,
            )
            self.notify_queue(session, case)
            audit.record(
                session,
                actor=reporter.actor(),
                action="case_resubmit",
                household_nos=[self.household_no(session, case)],
                detail=f"case={case.case_no}",
            )
            return self._reporter_view(session, case, reporter)

    def withdraw(self, *, reporter: Reporter, case_no: str, note: str | None = None) -> CaseView:
        """The reporter withdraws an open case."""
        text = clean_text(note, what="note", limit=MAX_NOTE, required=False)
        with self._db.session() as session:
            case = self._own_case(session, reporter, case_no)
            transition(Status(case.status), Action.WITHDRAW)  # refuses a closed case
            case.status, case.resume_status, case.due, case.updated_at = (
                Status.WITHDRAWN.value,
                None,
                None,
                self.now(),
            )
            self.add_step(
                session,
                case,
                action="withdraw",
                actor_role="household",
                actor=reporter.actor().who,
                note=text,
            )
            audit.record(
                session,
                actor=reporter.actor(),
                action="case_withdraw",
                household_nos=[self.household_no(session, case)],
                detail=f"case={case.case_no}",
            )
            return self._reporter_view(session, case, reporter)

    def attach_as_reporter(self, *, reporter: Reporter, case_no: str, data: bytes) -> AttachmentView:
        """A photo or voice note from the reporter, for the cadres (the case must be open)."""
        with self._db.session() as session:
            case = self._own_case(session, reporter, case_no)
            if Status(case.status) in FINAL:
                raise InvalidInput("the case is closed; nothing can be added to it")
            stored = self.store_file(session, case, data=data, uploaded_by=reporter.actor().who)
            audit.record(
                session,
                actor=reporter.actor(),
                action="case_attach",
                household_nos=[self.household_no(session, case)],
                detail=f"case={case.case_no}",
            )
            return stored

    def reporter_case(self, *, reporter: Reporter, case_no: str) -> CaseView:
        """One of the chat user's reports."""
        with self._db.session() as session:
            try:
                case = self._own_case(session, reporter, case_no)
            except NotFound:
                raise NotFound("no such report of yours") from None
            audit.record(
                session,
                actor=reporter.actor(),
                action="case_my_reports",
                household_nos=[self.household_no(session, case)],
                detail=f"case={case.case_no}",
            )
            return self._reporter_view(session, case, reporter)
