"""Administration: API clients, cadre accounts and their jurisdictions."""

from __future__ import annotations

from typing import Literal, cast

from pydantic import BaseModel, Field

from api.schemas.common import SingleLine
from core.records.identity import CadreInfo

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


class ClientIn(BaseModel):
    name: str = Field(min_length=1, max_length=50, pattern=r"^[A-Za-z0-9_.-]+$")
    role: Literal["portal", "channel", "admin"]


class ClientOut(BaseModel):
    name: str
    role: str
    key: str = Field(description="the API key; shown this once, stored only hashed")
