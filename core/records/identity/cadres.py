"""Cadre accounts (帮扶责任人, 驻村工作队, 村干部, 乡镇干部) and the jurisdiction each looks after."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from core.errors import InvalidInput, NotFound
from core.records import audit
from core.records.audit import Actor
from core.records.db import Database, rowcount, utcnow
from core.records.households import Jurisdiction
from core.records.identity.tables import BindingCode, Cadre, ChatBinding
from core.records.pii import PiiHasher, mask_phone, normalize_phone


@dataclass(frozen=True)
class CadreInfo:
    id: int
    name: str
    phone_masked: str
    jurisdiction: Jurisdiction
    active: bool


def cadre_info(c: Cadre) -> CadreInfo:
    return CadreInfo(
        id=c.id,
        name=c.name,
        phone_masked=c.phone_masked,
        jurisdiction=Jurisdiction(c.level, c.township, c.village),
        active=c.active,
    )


class CadreAccounts:
    """Creating, listing and switching off cadre accounts (a part of `Identity`)."""

    _db: Database
    _hasher: PiiHasher

    def create_cadre(self, *, name: str, phone: str, jurisdiction: Jurisdiction, actor: Actor) -> CadreInfo:
        """Create a cadre account; it acts once a chat user binds to it with an admin-issued code."""
        name = name.strip()
        if not name or len(name) > 50:
            raise InvalidInput("a cadre's name has 1–50 characters")
        phone = normalize_phone(phone)
        with self._db.session() as session:
            cadre = Cadre(
                name=name,
                phone_hash=self._hasher.phone_hash(phone),
                phone_masked=mask_phone(phone),
                level=jurisdiction.level,
                township=jurisdiction.township,
                village=jurisdiction.village,
                active=True,
                created_at=utcnow(),
            )
            session.add(cadre)
            session.flush()
            audit.record(session, actor=actor, action="create_cadre", detail=f"cadre={cadre.id}")
            return cadre_info(cadre)

    def list_cadres(self) -> list[CadreInfo]:
        with self._db.read_session() as session:
            return [cadre_info(c) for c in session.scalars(select(Cadre).order_by(Cadre.id))]

    def deactivate_cadre(self, *, cadre_id: int, actor: Actor) -> int:
        """Switch a cadre account off and unbind its chat users; returns how many were unbound."""
        with self._db.session() as session:
            cadre = session.get(Cadre, cadre_id)
            if cadre is None:
                raise NotFound(f"no cadre account {cadre_id}")
            cadre.active = False
            unbound = rowcount(session.execute(delete(ChatBinding).where(ChatBinding.cadre_id == cadre_id)))
            session.execute(
                delete(BindingCode).where(BindingCode.cadre_id == cadre_id, BindingCode.used_at.is_(None))
            )
            audit.record(session, actor=actor, action="deactivate_cadre", detail=f"cadre={cadre_id}")
        return unbound
