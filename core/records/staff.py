"""Workbench sign-in for cadres and admins: single-use links and browser sessions, both in the database.

A bound cadre (or an admin) asks the bot for a link; the link holds a random token that works once, within
`LINK_TTL`. Opening it starts a session: another random token, kept by the browser in an HttpOnly cookie, and a
CSRF token the page sends back with every change. Only SHA-256 digests of the tokens are stored, so a copy of
the database signs nobody in. Sessions are rows, so every API replica sees the same ones, and revoking one (sign
out, or an admin) holds from the next request on any replica::

    staff = StaffSessions(db)
    link = staff.issue_link(cadre_id=7)                    # → token for /workbench/signin?token=…
    opened = staff.redeem_link(link.token)                 # → session token + csrf, or Unauthorized
    who = staff.resolve(opened.token)                      # → Staff (jurisdiction, actor) or None
    staff.revoke(session_id=who.session_id, actor=...)
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.errors import InvalidInput, NotFound, Unauthorized
from core.records import audit
from core.records.audit import Actor
from core.records.db import Base, Database, UTCDateTime, rowcount, utcnow
from core.records.households import Jurisdiction
from core.records.identity import Cadre
from core.records.identity.cadres import cadre_info

logger = logging.getLogger(__name__)

LINK_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=8)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per session


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class SignInLink(Base):
    """A single-use sign-in link for a cadre account or an admin client (only the token's digest is kept)."""

    __tablename__ = "workbench_links"
    __table_args__ = (CheckConstraint("(cadre_id IS NULL) <> (admin IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id", ondelete="CASCADE"), index=True)
    admin: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """A signed-in browser of a cadre or an admin; revoked or expired rows sign nobody in."""

    __tablename__ = "workbench_sessions"
    __table_args__ = (CheckConstraint("(cadre_id IS NULL) <> (admin IS NULL)", name="one_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf: Mapped[str] = mapped_column(String(64))
    cadre_id: Mapped[int | None] = mapped_column(ForeignKey("cadres.id", ondelete="CASCADE"), index=True)
    admin: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Staff:
    """A cadre or an admin at the workbench (or behind a bot): what they may see and how they are audited."""

    kind: str  # "cadre" | "admin"
    name: str
    jurisdiction: Jurisdiction
    actor: Actor
    cadre_id: int | None = None
    session_id: int | None = None
    csrf: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.kind == "admin"

    @property
    def county_level(self) -> bool:
        """Admins and county cadres: they see what no village or township claims."""
        return self.is_admin or self.jurisdiction.level == "county"


def admin_staff(client_name: str, *, channel: str = "api", session_id: int | None = None) -> Staff:
    return Staff(
        kind="admin",
        name=client_name,
        jurisdiction=Jurisdiction.county(),
        actor=Actor(role="admin", who=f"admin:{client_name}", channel=channel),
        session_id=session_id,
    )


def cadre_staff(
    cadre_id: int,
    name: str,
    jurisdiction: Jurisdiction,
    *,
    who: str,
    channel: str,
    session_id: int | None = None,
) -> Staff:
    return Staff(
        kind="cadre",
        name=name,
        jurisdiction=jurisdiction,
        actor=Actor(role="cadre", who=who, channel=channel),
        cadre_id=cadre_id,
        session_id=session_id,
    )


@dataclass(frozen=True)
class IssuedLink:
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class OpenedSession:
    token: str
    csrf: str
    expires_at: datetime


@dataclass(frozen=True)
class SessionInfo:
    """A session as an admin sees it in the list: never a token."""

    id: int
    kind: str
    who: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    active: bool


class StaffSessions:
    """Sign-in links and sessions of the workbench, in the records database."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def issue_link(self, *, cadre_id: int | None = None, admin: str | None = None) -> IssuedLink:
        """A single-use link token for an active cadre account or an admin client, valid for `LINK_TTL`."""
        if (cadre_id is None) == (admin is None):
            raise InvalidInput("a sign-in link is for one cadre account or one admin")
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self._db.session() as session:
            if cadre_id is not None:
                cadre = session.get(Cadre, cadre_id)
                if cadre is None or not cadre.active:
                    raise NotFound("no active cadre account")
            session.execute(delete(SignInLink).where(SignInLink.expires_at < now - timedelta(days=1)))
            session.add(
                SignInLink(
                    token_hash=_digest(token),
                    cadre_id=cadre_id,
                    admin=admin,
                    created_at=now,
                    expires_at=now + LINK_TTL,
                )
            )
        return IssuedLink(token=token, expires_at=now + LINK_TTL)

    def redeem_link(self, token: str) -> OpenedSession:
        """Use a link once: a new session; Unauthorized when the link is unknown, used or expired."""
        now = utcnow()
        with self._db.session() as session:
            link = session.scalar(
                select(SignInLink).where(SignInLink.token_hash == _digest(token)).with_for_update()
            )
            if link is None or link.used_at is not None or link.expires_at <= now:
                raise Unauthorized("this sign-in link is not valid any more; ask the bot for a new one")
            link.used_at = now
            if link.cadre_id is not None:
                cadre = session.get(Cadre, link.cadre_id)
                if cadre is None or not cadre.active:
                    raise Unauthorized("this cadre account is switched off")
            return self._open(session, cadre_id=link.cadre_id, admin=link.admin, now=now)

    def open_for_admin(self, admin: str) -> OpenedSession:
        """A session for an admin client that presented its key (the workbench's key sign-in)."""
        now = utcnow()
        with self._db.session() as session:
            return self._open(session, cadre_id=None, admin=admin, now=now)

    @staticmethod
    def _open(session: Session, *, cadre_id: int | None, admin: str | None, now: datetime) -> OpenedSession:
        """A new session for a cadre account or an admin, its sign-in audit-logged."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        session.execute(delete(StaffSession).where(StaffSession.expires_at < now - timedelta(days=7)))
        session.add(
            StaffSession(
                token_hash=_digest(token),
                csrf=csrf,
                cadre_id=cadre_id,
                admin=admin,
                created_at=now,
                expires_at=now + SESSION_TTL,
                last_seen_at=now,
            )
        )
        role, who = ("cadre", f"cadre:{cadre_id}") if cadre_id is not None else ("admin", f"admin:{admin}")
        audit.record(session, actor=Actor(role, who, "workbench"), action="workbench_signin")
        return OpenedSession(token=token, csrf=csrf, expires_at=now + SESSION_TTL)

    def resolve(self, token: str) -> Staff | None:
        """The staff member of a live session, or None (unknown, expired, revoked, cadre switched off)."""
        now = utcnow()
        with self._db.read_session() as session:
            row = session.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
            if row is None or row.revoked_at is not None or row.expires_at <= now:
                return None
            if row.cadre_id is not None:
                cadre = session.get(Cadre, row.cadre_id)
                if cadre is None or not cadre.active:
                    return None
                info = cadre_info(cadre)
                staff = cadre_staff(
                    info.id,
                    info.name,
                    info.jurisdiction,
                    who=f"cadre:{info.id}/workbench:{row.id}",
                    channel="workbench",
                    session_id=row.id,
                )
            else:
                assert row.admin is not None
                staff = admin_staff(row.admin, channel="workbench", session_id=row.id)
            stale = now - row.last_seen_at >= TOUCH_EVERY
            csrf = row.csrf
            session_id = row.id
        if stale:
            with self._db.session() as session:
                session.execute(
                    update(StaffSession).where(StaffSession.id == session_id).values(last_seen_at=now)
                )
        return replace(staff, csrf=csrf)

    @staticmethod
    def csrf_matches(staff: Staff, given: str | None) -> bool:
        return bool(given) and staff.csrf is not None and hmac.compare_digest(staff.csrf, given or "")

    def revoke(self, *, session_id: int, actor: Actor) -> bool:
        """End one session (sign-out, or an admin's revocation); False when it was not live."""
        with self._db.session() as session:
            done = rowcount(
                session.execute(
                    update(StaffSession)
                    .where(StaffSession.id == session_id, StaffSession.revoked_at.is_(None))
                    .values(revoked_at=utcnow())
                )
            )
            if done:
                audit.record(session, actor=actor, action="workbench_revoke", detail=f"session={session_id}")
        return bool(done)

    def list_sessions(self, *, live_only: bool = True) -> list[SessionInfo]:
        """Sessions, newest first (an admin's view: who is signed in, since when)."""
        now = utcnow()
        query = select(StaffSession).order_by(StaffSession.id.desc()).limit(200)
        if live_only:
            query = query.where(StaffSession.revoked_at.is_(None), StaffSession.expires_at > now)
        with self._db.read_session() as session:
            return [
                SessionInfo(
                    id=s.id,
                    kind="cadre" if s.cadre_id is not None else "admin",
                    who=f"cadre:{s.cadre_id}" if s.cadre_id is not None else f"admin:{s.admin}",
                    created_at=s.created_at,
                    expires_at=s.expires_at,
                    last_seen_at=s.last_seen_at,
                    active=s.revoked_at is None and s.expires_at > now,
                )
                for s in session.scalars(query)
            ]
