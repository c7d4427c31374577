"""The notification outbox: what each step tells the reporter and the cadres whose queue it enters, claimed and
acknowledged by the channel that delivers it, and the cadres' morning digest.

The API owns the data and several replicas may serve it, so nothing is pushed from a replica: a step writes its
notifications in the same transaction as the step, and the channel (the bot) fetches them on a timer with its
own key — `claim` leases the oldest pending ones for `LEASE` (two bot processes never both send one), `ack`
marks them delivered, and a row not acknowledged in time is claimed again (at-least-once delivery). The digest
is enqueued the same way, once per cadre and day (a unique key), so a restarted or second bot cannot send it
twice.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.cases.workflow import ESCALATES_TO, WAITS_ON, Level, Status
from core.records import audit
from core.records.audit import Actor
from core.records.cases.base import CaseBase, case_clause, overdue_clause
from core.records.cases.tables import Case, CaseNotification
from core.records.cases.views import NotificationView
from core.records.db import rowcount
from core.records.identity import Cadre, ChatBinding

LEASE = timedelta(seconds=60)
MAX_CLAIM = 100
DIGEST_CASES = 10


class CaseOutbox(CaseBase):
    """Writing, claiming and acknowledging notifications (a part of `CaseRecords`)."""

    # -- writing (inside a step's transaction) -------------------------------------------------------------------
    def notify(
        self,
        session: Session,
        *,
        channel: str,
        chat_user_id: str,
        kind: str,
        case: Case | None,
        payload: dict[str, Any],
        dedupe_key: str | None = None,
    ) -> None:
        session.add(
            CaseNotification(
                channel=channel,
                chat_user_id=chat_user_id,
                case_id=case.id if case else None,
                kind=kind,
                payload=payload,
                dedupe_key=dedupe_key,
                created_at=self.now(),
                attempts=0,
            )
        )

    def notify_reporter(
        self, session: Session, case: Case, *, action: str, note: str | None, **extra: Any
    ) -> None:
        """Tell the reporter what the step did, in data the channel renders in plain words."""
        payload: dict[str, Any] = {
            "case_id": case.case_no,
            "action": action,
            "status": case.status,
            "category": case.category,
            "due": case.due.isoformat() if case.due and Status(case.status) in WAITS_ON else None,
            "on_behalf": case.on_behalf,
        }
        if (
            not case.on_behalf
        ):  # a neighbour who reported for a household hears of the steps, not their content
            payload |= {"note": note, **extra}
        self.notify(
            session,
            channel=case.reporter_channel,
            chat_user_id=case.reporter_chat_user_id,
            kind="case_step",
            case=case,
            payload=payload,
        )

    def notify_queue(self, session: Session, case: Case) -> None:
        """Tell the cadres of the level the case now waits on (bound chat users of each channel) that it is theirs."""
        level = WAITS_ON.get(Status(case.status))
        if level is None or level is Level.HOUSEHOLD:
            return
        conds = [Cadre.active.is_(True), Cadre.level == level.value]
        if level in (Level.VILLAGE, Level.TOWNSHIP):
            conds.append(Cadre.township == case.township)
        if level is Level.VILLAGE:
            conds.append(Cadre.village == case.village)
        rows = session.execute(
            select(ChatBinding.channel, ChatBinding.chat_user_id)
            .join(Cadre, ChatBinding.cadre_id == Cadre.id)
            .where(*conds)
        ).all()
        for channel, chat_user_id in rows:
            self.notify(
                session,
                channel=channel,
                chat_user_id=chat_user_id,
                kind="case_queue",
                case=case,
                payload={
                    "case_id": case.case_no,
                    "status": case.status,
                    "village": case.village,
                    "category": case.category,
                    "urgent": case.urgent,
                    "due": case.due.isoformat() if case.due else None,
                },
            )

    # -- delivering ------------------------------------------------------------------------------------------------
    def claim(self, *, channel: str, limit: int = 50) -> list[NotificationView]:
        """The channel's oldest pending notifications, leased to the caller for `LEASE`."""
        now = self.now()
        with self._db.session() as session:
            query = (
                select(CaseNotification)
                .where(
                    CaseNotification.channel == channel,
                    CaseNotification.delivered_at.is_(None),
                    or_(CaseNotification.leased_until.is_(None), CaseNotification.leased_until < now),
                )
                .order_by(CaseNotification.id)
                .limit(min(max(limit, 1), MAX_CLAIM))
            )
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = session.scalars(query).all()
            out = []
            for row in rows:
                row.leased_until = now + LEASE
                row.attempts += 1
                payload = dict(row.payload)
                out.append(
                    NotificationView(row.id, row.chat_user_id, row.kind, payload.get("case_id"), payload)
                )
        return out

    def ack(self, *, channel: str, ids: list[int]) -> int:
        """Mark the channel's notifications delivered; returns how many were pending."""
        if not ids:
            return 0
        with self._db.session() as session:
            result = session.execute(
                update(CaseNotification)
                .where(
                    CaseNotification.channel == channel,
                    CaseNotification.id.in_(ids[:MAX_CLAIM]),
                    CaseNotification.delivered_at.is_(None),
                )
                .values(delivered_at=self.now())
            )
            return rowcount(result)

    # -- the morning digest ---------------------------------------------------------------------------------------
    def enqueue_digests(self, *, channel: str) -> int:
        """For each cadre bound on the channel with something waiting, today's digest (once a day); the count."""
        today = self.today()
        since = self.now() - timedelta(hours=24)
        count = 0
        with self._db.session() as session:
            cadres = session.execute(
                select(ChatBinding.chat_user_id, Cadre)
                .join(Cadre, ChatBinding.cadre_id == Cadre.id)
                .where(ChatBinding.channel == channel, Cadre.active.is_(True))
                .order_by(ChatBinding.id)
            ).all()
        for chat_user_id, cadre in cadres:
            key = f"digest:{channel}:{chat_user_id}:{today.isoformat()}"
            try:
                with self._db.session() as session:
                    payload = self._digest(session, cadre, today=today, since=since)
                    if payload is None:
                        continue
                    self.notify(
                        session,
                        channel=channel,
                        chat_user_id=chat_user_id,
                        kind="digest",
                        case=None,
                        payload=payload,
                        dedupe_key=key,
                    )
                    actor = Actor(role="cadre", who=f"cadre:{cadre.id}/chat:{chat_user_id}", channel=channel)
                    audit.record(
                        session,
                        actor=actor,
                        action="case_digest",
                        household_nos=payload.pop("_households") or [None],
                        detail=f"waiting={payload['waiting']} overdue={payload['overdue']}",
                    )
                    session.flush()
                count += 1
            except IntegrityError:  # already enqueued today (another bot, or a restart)
                continue
        return count

    def _digest(self, session: Session, cadre: Cadre, *, today: Any, since: Any) -> dict[str, Any] | None:
        from core.records.households import Household, Jurisdiction

        jurisdiction = Jurisdiction(cadre.level, cadre.township, cadre.village)
        level = Level(cadre.level)
        mine = [s for s, lv in WAITS_ON.items() if lv is level]
        below = [s for s, lv in WAITS_ON.items() if ESCALATES_TO.get(lv) is level]
        queue = or_(Case.status.in_([s.value for s in mine]), overdue_clause(today, below))
        rows = session.scalars(
            select(Case).where(*case_clause(jurisdiction), queue).order_by(Case.due, Case.id)
        ).all()
        if not rows:
            return None
        overdue = [c for c in rows if self.is_overdue(c, today)]
        new = [c for c in rows if c.updated_at >= since]
        numbers = dict(
            session.execute(
                select(Household.id, Household.household_no).where(
                    Household.id.in_([c.household_id for c in rows if c.household_id])
                )
            ).all()
        )
        return {
            "jurisdiction": jurisdiction.label(),
            "date": today.isoformat(),
            "waiting": len(rows),
            "overdue": len(overdue),
            "new": len(new),
            "cases": [
                {
                    "case_id": c.case_no,
                    "village": c.village,
                    "category": c.category,
                    "status": c.status,
                    "due": c.due.isoformat() if c.due else None,
                    "overdue": self.is_overdue(c, today),
                    "urgent": c.urgent,
                }
                for c in rows[:DIGEST_CASES]
            ],
            "_households": [numbers.get(c.household_id) for c in rows if c.household_id in numbers],
        }

    def pending_count(self, *, channel: str) -> int:
        with self._db.read_session() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(CaseNotification)
                    .where(and_(CaseNotification.channel == channel, CaseNotification.delivered_at.is_(None)))
                )
                or 0
            )
