"""Administration: API clients, cadre accounts and their jurisdictions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, cast

from pydantic import BaseModel, Field

from api.schemas.common import SingleLine
from core.records.identity import CadreInfo, ClientInfo

Level = Literal["county", "township", "village"]


class JurisdictionOut(BaseModel):
    level: Level
    township: str | None = None
    village: str | None = None
    label: str = Field(description="e.g. 全县, 青禾镇, 青禾镇柳湾村")


class CadreOut(BaseModel):
    id: int
    name: str
    phone_masked: str
    jurisdiction: JurisdictionOut
    active: bool

    @classmethod
    def of(cls, c: CadreInfo) -> CadreOut:
        j = c.jurisdiction
        return cls(
            id=c.id,
            name=c.name,
            phone_masked=c.phone_masked,
            active=c.active,
            jurisdiction=JurisdictionOut(
                level=cast(Level, j.level), township=j.township, village=j.village, label=j.label()
            ),
        )


class CadreIn(BaseModel):
    name: SingleLine = Field(min_length=1, max_length=50)
    phone: SingleLine = Field(
        min_length=11, max_length=20, description="the cadre's mobile; binding checks it"
    )
    level: Level
    township: SingleLine | None = Field(None, max_length=50)
    village: SingleLine | None = Field(None, max_length=50)


class CadreList(BaseModel):
    cadres: list[CadreOut]


CLIENT_NAME = r"^[A-Za-z0-9_.-]+$"


class ClientIn(BaseModel):
    name: str = Field(min_length=1, max_length=50, pattern=CLIENT_NAME)
    role: Literal["portal", "channel", "admin"]
    allow_from: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="addresses or networks (10.0.0.5, 10.0.0.0/24) the key may be used from; empty: any",
    )


class ClientOut(BaseModel):
    name: str
    role: str
    key: str = Field(description="the API key; shown this once, stored only hashed")
    allow_from: list[str] = Field(default_factory=list)


class ClientInfoOut(BaseModel):
    """A registered client as listed: never its key or the key's hash."""

    name: str
    role: str
    status: Literal["active", "rotating", "revoked", "configured"] = Field(
        description="rotating: a new key was issued and the old one is valid until `old_key_valid_until`; "
        "configured: the BANGFU_API_KEY channel, managed in the server's environment"
    )
    created_at: datetime | None
    last_used_at: datetime | None = Field(description="to the minute; null when never used")
    revoked_at: datetime | None
    old_key_valid_until: datetime | None
    allow_from: list[str] = Field(description="addresses or networks the key may be used from; empty: any")

    @classmethod
    def of(cls, c: ClientInfo) -> ClientInfoOut:
        status: Literal["active", "rotating", "revoked", "configured"] = (
            "configured"
            if c.configured
            else "revoked"
            if c.revoked_at
            else "rotating"
            if c.old_key_valid_until
            else "active"
        )
        return cls(
            name=c.name,
            role=c.role,
            status=status,
            created_at=c.created_at,
            last_used_at=c.last_used_at,
            revoked_at=c.revoked_at,
            old_key_valid_until=c.old_key_valid_until,
            allow_from=list(c.allow_from),
        )


class ClientList(BaseModel):
    clients: list[ClientInfoOut]


class RotateIn(BaseModel):
    grace_hours: int | None = Field(
        None,
        ge=0,
        le=720,
        description="hours the old key stays valid; default BANGFU_KEY_ROTATION_GRACE_HOURS",
    )


class RotatedOut(BaseModel):
    name: str
    role: str
    key: str = Field(description="the new API key; shown this once, stored only hashed")
    old_key_valid_until: datetime = Field(description="the old key is refused from then on")
