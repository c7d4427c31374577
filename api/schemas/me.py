"""The chat user's own account: binding with a code, what the account is bound to, household screening."""

from __future__ import annotations

from typing import Literal, cast

from pydantic import BaseModel, Field, StrictBool

from api.schemas.admin import CadreOut
from api.schemas.eligibility import EligibilityIn, EligibilityOut
from core.records.identity import ChatIdentity


class BindIn(BaseModel):
    code: str = Field(min_length=4, max_length=20, description="the 8-character binding code from a cadre")
    phone: str = Field(min_length=11, max_length=20, description="the chat user's phone number")
    phone_verified: StrictBool = Field(
        description="JSON true only when the channel verified the phone belongs to this chat user "
        "(Telegram: a shared contact whose user_id is the sender's); the API takes the channel's word for it "
        "(README, security model), so nothing but a JSON boolean is accepted"
    )


class MeOut(BaseModel):
    bound: bool
    kind: Literal["household", "cadre"] | None = Field(None, description="what the chat user is bound to")
    household_no: str | None = None
    cadre: CadreOut | None = None

    @classmethod
    def of(cls, identity: ChatIdentity | None) -> MeOut:
        if identity is None:
            return cls(bound=False, kind=None)
        return cls(
            bound=True,
            kind=cast(Literal["household", "cadre"], identity.kind),
            household_no=identity.household_no,
            cadre=CadreOut.of(identity.cadre) if identity.cadre else None,
        )


class MeEligibilityIn(EligibilityIn):
    member: int | None = Field(
        None,
        ge=1,
        le=30,
        description="whom the person-level facts (age, labour capacity, schooling, health) are about: the "
        "member's number in the household, counting from 1 in the order GET /v1/me/status lists `members`. "
        "Default: the only member of a one-person household, else nobody (those facts are left to ask)",
    )


class MeEligibilityOut(EligibilityOut):
    prefilled: dict[str, bool | int | str] = Field(
        description="facts taken from the household's record (those given in `facts` are not listed: they win)"
    )
    prefilled_from: str = Field(
        description="plain-Chinese note of what was taken from which record and its date, to show the user "
        "so they can correct it (by sending the fact in `facts`)"
    )
    member: int | None = Field(
        description="the member the person-level facts are about (the one asked for, or the only member); "
        "null when nobody in particular"
    )
