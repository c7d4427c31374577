"""Binding a chat user to a household or a cadre account: single-use codes, the bind itself, and resolving it.

Binding is a login. A cadre or an admin issues a single-use 8-character code; the chat user gives it together
with a phone number the channel has verified, which must match the phone on record. Failed attempts are
counted in the database (so the limits hold across API replicas): at most 5 per chat user per hour, 50 per
channel per hour (so a caller who rotates chat ids is stopped too; the price is that binding on that channel
pauses for everyone until the window passes), and 5 per code, after which the code is dead.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from core.errors import InvalidInput, NotFound, RateLimited
from core.records import audit
from core.records.audit import Actor
from core.records.db import Database, rowcount, utcnow
from core.records.households import Household, HouseholdRecords, Jurisdiction
from core.records.identity.cadres import CadreInfo, cadre_info
from core.records.identity.tables import BindingCode, BindingFailure, Cadre, ChatBinding
from core.records.pii import PiiHasher, normalize_phone
from core.settings import Settings

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed on a phone
CODE_LENGTH = 8

_NO_MATCH = "the binding code or the phone number does not match"
_DEAD_CODE = "this binding code has expired or was already used; ask for a new one"


@dataclass(frozen=True)
class ChatIdentity:
    """What a chat user of a channel is bound to: a household or a cadre account."""

    channel: str
    chat_user_id: str
    household_id: int | None = None
    household_no: str | None = None
    cadre: CadreInfo | None = None

    @property
    def kind(self) -> str:
        return "cadre" if self.cadre else "household"

    def actor(self) -> Actor:
        if self.cadre:
            return Actor(
                role="cadre", who=f"cadre:{self.cadre.id}/chat:{self.chat_user_id}", channel=self.channel
            )
        return Actor(role="household", who=f"chat:{self.chat_user_id}", channel=self.channel)


@dataclass(frozen=True)
class IssuedCode:
    """A freshly issued binding code; the only time the code itself is seen."""

    code: str
    expires_at: datetime
    household_no: str | None = None
    cadre_id: int | None = None


def normalize_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


class Bindings:
    """Binding codes and chat bindings (a part of `Identity`)."""

    _db: Database
    _hasher: PiiHasher
    _settings: Settings

    def _new_code(
        self, session: Session, *, actor: Actor, household_id: int | None, cadre_id: int | None
    ) -> tuple[str, datetime]:
        now = utcnow()
        expires = now + timedelta(hours=self._settings.binding_code_ttl_hours)
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        session.add(
            BindingCode(
                code_hash=self._hasher.digest("code", code),
                household_id=household_id,
                cadre_id=cadre_id,
                issued_by=actor.who,
                created_at=now,
                expires_at=expires,
                used_at=None,
                failed_attempts=0,
            )
        )
        return code, expires

    def issue_household_code(
        self, *, household_no: str, actor: Actor, jurisdiction: Jurisdiction | None = None
    ) -> IssuedCode:
        """A binding code for a household; a cadre only for households in `jurisdiction`."""
        with self._db.session() as session:
            household = HouseholdRecords.find_in(
                session, household_no=household_no, jurisdiction=jurisdiction or Jurisdiction.county()
            )
            code, expires = self._new_code(session, actor=actor, household_id=household.id, cadre_id=None)
            audit.record(session, actor=actor, action="issue_code", household_nos=[household.household_no])
            no = household.household_no
        logger.info("issued a binding code for household %s", no)
        return IssuedCode(code=code, expires_at=expires, household_no=no)

    def issue_cadre_code(self, *, cadre_id: int, actor: Actor) -> IssuedCode:
        """A binding code for a cadre account (admin only)."""
        with self._db.session() as session:
            cadre = session.get(Cadre, cadre_id)
            if cadre is None or not cadre.active:
                raise NotFound(f"no active cadre account {cadre_id}")
            code, expires = self._new_code(session, actor=actor, household_id=None, cadre_id=cadre_id)
            audit.record(session, actor=actor, action="issue_cadre_code", detail=f"cadre={cadre_id}")
        return IssuedCode(code=code, expires_at=expires, cadre_id=cadre_id)

    # -- binding ---------------------------------------------------------------------------------------------
    def bind(self, *, channel: str, chat_user_id: str, code: str, phone: str) -> ChatIdentity:
        """Bind the chat user with a code and the phone the channel verified; counts failures."""
        s = self._settings
        phone = normalize_phone(phone)
        code = normalize_code(code)
        now = utcnow()
        window_start = now - timedelta(seconds=s.binding_failure_window_seconds)
        failure: Exception | None = None
        identity: ChatIdentity | None = None
        with self._db.session() as session:
            if session.get_bind().dialect.name == "postgresql":
                # Concurrent attempts on one channel (several API replicas) are counted one after another,
                # so neither limit is overshot; binding is rare enough to take turns.
                session.execute(
                    text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": f"bind:{channel}"}
                )
            session.execute(delete(BindingFailure).where(BindingFailure.at < window_start))
            for limit, who in (
                (s.binding_max_failures_per_user, BindingFailure.chat_user_id == chat_user_id),
                (s.binding_max_failures_per_channel, None),
            ):
                conditions = [BindingFailure.channel == channel, BindingFailure.at >= window_start]
                recent = session.execute(
                    select(func.count(), func.min(BindingFailure.at)).where(
                        *conditions, *([who] if who is not None else [])
                    )
                ).one()
                if recent[0] >= limit:
                    retry = int((recent[1] - window_start).total_seconds()) + 1
                    if who is None:
                        logger.warning("binding paused on channel %s: too many failed attempts", channel)
                    raise RateLimited(
                        "too many failed binding attempts; try again later", retry_after=max(retry, 1)
                    )

            row = (
                session.scalar(
                    select(BindingCode)
                    .where(BindingCode.code_hash == self._hasher.digest("code", code))
                    .with_for_update()
                )
                if len(code) == CODE_LENGTH
                else None
            )
            subject_phone = self._subject_phone_hash(session, row) if row is not None else None
            if row is None or subject_phone is None:
                failure = InvalidInput(_NO_MATCH)
            elif row.failed_attempts >= s.binding_max_failures_per_code:
                failure = InvalidInput(_DEAD_CODE)
            elif not hmac.compare_digest(subject_phone, self._hasher.phone_hash(phone)):
                row.failed_attempts += 1
                failure = InvalidInput(_NO_MATCH)
            elif row.used_at is not None or row.expires_at <= now:
                failure = InvalidInput(_DEAD_CODE)

            if failure is not None:
                session.add(BindingFailure(channel=channel, chat_user_id=chat_user_id, at=now))
            else:
                assert row is not None
                row.used_at = now
                session.execute(
                    delete(ChatBinding).where(
                        ChatBinding.channel == channel, ChatBinding.chat_user_id == chat_user_id
                    )
                )
                session.add(
                    ChatBinding(
                        channel=channel,
                        chat_user_id=chat_user_id,
                        household_id=row.household_id,
                        cadre_id=row.cadre_id,
                        created_at=now,
                    )
                )
                session.flush()
                identity = self._resolve(session, channel=channel, chat_user_id=chat_user_id)
                assert identity is not None
                audit.record(
                    session,
                    actor=identity.actor(),
                    action="bind",
                    household_nos=[identity.household_no],
                    detail=f"cadre={identity.cadre.id}" if identity.cadre else None,
                )
        if failure is not None or identity is None:
            logger.info("failed binding attempt on channel %s", channel)
            raise failure or InvalidInput(_NO_MATCH)
        logger.info("chat user bound on channel %s (%s)", channel, identity.kind)
        return identity

    def _subject_phone_hash(self, session: Session, code: BindingCode) -> str | None:
        if code.household_id is not None:
            return session.scalar(select(Household.phone_hash).where(Household.id == code.household_id))
        return session.scalar(
            select(Cadre.phone_hash).where(Cadre.id == code.cadre_id, Cadre.active.is_(True))
        )

    def unbind(self, *, channel: str, chat_user_id: str) -> bool:
        """Remove the chat user's binding; False when there was none."""
        with self._db.session() as session:
            identity = self._resolve(session, channel=channel, chat_user_id=chat_user_id)
            if identity is None:
                return False
            session.execute(
                delete(ChatBinding).where(
                    ChatBinding.channel == channel, ChatBinding.chat_user_id == chat_user_id
                )
            )
            audit.record(
                session, actor=identity.actor(), action="unbind", household_nos=[identity.household_no]
            )
        return True

    def unbind_household(
        self, *, household_no: str, actor: Actor, jurisdiction: Jurisdiction | None = None
    ) -> int:
        """Unbind every chat user of a household (a cadre only in `jurisdiction`); returns how many."""
        with self._db.session() as session:
            household = HouseholdRecords.find_in(
                session, household_no=household_no, jurisdiction=jurisdiction or Jurisdiction.county()
            )
            count = rowcount(
                session.execute(delete(ChatBinding).where(ChatBinding.household_id == household.id))
            )
            session.execute(
                delete(BindingCode).where(
                    BindingCode.household_id == household.id, BindingCode.used_at.is_(None)
                )
            )
            audit.record(
                session,
                actor=actor,
                action="unbind_household",
                household_nos=[household.household_no],
                detail=f"unbound={count}",
            )
        return count

    def place(self, *, channel: str, chat_user_id: str) -> Jurisdiction | None:
        """Where a chat user belongs for review lists: their household's village, or their cadre account's
        township or village; None when not bound, or bound to a county cadre (the county reviews those)."""
        with self._db.read_session() as session:
            identity = self._resolve(session, channel=channel, chat_user_id=chat_user_id)
            if identity is None:
                return None
            if identity.cadre is not None:
                j = identity.cadre.jurisdiction
                return None if j.level == "county" else j
            row = session.execute(
                select(Household.township, Household.village).where(Household.id == identity.household_id)
            ).first()
            if row is None or not row[0] or not row[1]:
                return None
            return Jurisdiction.of_village(row[0], row[1])

    def resolve(self, *, channel: str, chat_user_id: str) -> ChatIdentity | None:
        """What the chat user is bound to, or None (also for a switched-off cadre account)."""
        with self._db.read_session() as session:
            return self._resolve(session, channel=channel, chat_user_id=chat_user_id)

    @staticmethod
    def _resolve(session: Session, *, channel: str, chat_user_id: str) -> ChatIdentity | None:
        binding = session.scalar(
            select(ChatBinding).where(
                ChatBinding.channel == channel, ChatBinding.chat_user_id == chat_user_id
            )
        )
        if binding is None:
            return None
        if binding.household_id is not None:
            no = session.scalar(select(Household.household_no).where(Household.id == binding.household_id))
            return ChatIdentity(channel, chat_user_id, household_id=binding.household_id, household_no=no)
        cadre = session.get(Cadre, binding.cadre_id)
        if cadre is None or not cadre.active:
            return None
        return ChatIdentity(channel, chat_user_id, cadre=cadre_info(cadre))
