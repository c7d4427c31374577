"""The chat user's own account and household: bind, status, payments, eligibility (channel clients only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.auth import ChannelUser, HouseholdUser
from api.deps import ServicesDep, ViewDep
from api.schemas.common import ErrorOut
from api.schemas.households import HouseholdStatusOut, PaymentsOut, UnbindOut
from api.schemas.me import BindIn, MeEligibilityIn, MeEligibilityOut, MeOut
from core.eligibility.prefill import screen_household
from core.errors import InvalidInput

router = APIRouter(
    prefix="/v1/me",
    tags=["me"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)


@router.get("", response_model=MeOut, summary="What the chat user is bound to")
def whoami(user: ChannelUser, services: ServicesDep) -> MeOut:
    """Whether the chat user is bound, and to a household (户编号) or a cadre account."""
    return MeOut.of(services.identity.resolve(channel=user.channel, chat_user_id=user.chat_user_id))


@router.post("/bind", response_model=MeOut, responses={429: {"model": ErrorOut}}, summary="Bind with a code")
def bind(body: BindIn, user: ChannelUser, services: ServicesDep) -> MeOut:
    """Bind the chat user to a household or cadre account with a binding code and a channel-verified phone."""
    if not body.phone_verified:
        raise InvalidInput("the phone number must be verified by the channel (share your contact)")
    identity = services.identity.bind(
        channel=user.channel, chat_user_id=user.chat_user_id, code=body.code, phone=body.phone
    )
    return MeOut.of(identity)


@router.post("/unbind", response_model=UnbindOut, summary="Unbind this chat account")
def unbind(user: ChannelUser, services: ServicesDep) -> UnbindOut:
    """Remove the chat user's binding (0 when there was none)."""
    done = services.identity.unbind(channel=user.channel, chat_user_id=user.chat_user_id)
    return UnbindOut(unbound=int(done))


@router.get("/status", response_model=HouseholdStatusOut, summary="My household's aid status")
def status(user: HouseholdUser, services: ServicesDep) -> HouseholdStatusOut:
    """Household type, monitoring and risk, members, measures by year, payments, 帮扶责任人, and a summary."""
    assert user.household_id is not None
    return HouseholdStatusOut.of(
        services.households.status(household_id=user.household_id, actor=user.actor())
    )


@router.get("/payments", response_model=PaymentsOut, summary="Did my payment arrive")
def payments(
    user: HouseholdUser,
    services: ServicesDep,
    item: Annotated[str | None, Query(max_length=30, description="what was expected, e.g. 产业补贴")] = None,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="only payments of this year")] = None,
) -> PaymentsOut:
    """The household's payments matching `item` (all when not given), with a plain-Chinese answer."""
    assert user.household_id is not None
    answer = services.households.payments(
        household_id=user.household_id, actor=user.actor(), item=item, year=year
    )
    return PaymentsOut.of(answer)


@router.post(
    "/eligibility",
    response_model=MeEligibilityOut,
    responses={404: {"model": ErrorOut}, 503: {"model": ErrorOut}},
    summary="Can my household get it (facts from our record)",
)
def eligibility(
    body: MeEligibilityIn, user: HouseholdUser, services: ServicesDep, view: ViewDep
) -> dict[str, Any]:
    """Screen like POST /v1/eligibility, with what the household's record states filled in; facts given win."""
    assert user.household_id is not None
    record = services.households.eligibility_facts(
        household_id=user.household_id, actor=user.actor(), member=body.member
    )
    screening = screen_household(
        services.eligibility(view),
        record,
        body.facts,
        body.measure_ids,
        member=body.member,
    )
    prefill = screening.prefill
    return {
        **screening.result.to_dict(),
        "prefilled": prefill.facts,
        "prefilled_from": prefill.note,
        "member": prefill.member,
    }
