"""/bind (bot.flows.bind): only the sender's own contact binds; wrong codes until lockout; used and expired codes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot import render
from bot import texts as T
from tests.bot.conftest import Harness, World
from tests.bot.helpers import assert_unbound, bind, contact_phone, shown


def test_bind_accepts_only_the_senders_own_contact(bot: Harness, world: World) -> None:
    household = world.household("青禾村", 0)
    user = bot.user(2101)
    code = world.code_for(household.household_no)
    user.send("/bind")
    user.send(code)
    refused = user.share_contact(contact_phone(household.phone), user_id=999999)[0]
    assert shown(refused) == T.BIND_NOT_OWN
    assert refused["markup"]["keyboard"][0][0]["request_contact"] is True
    assert_unbound(world, user)
    typed = user.send(household.phone)[0]  # a typed number proves nothing either
    assert shown(typed) == T.BIND_PRESS_BUTTON
    # The refusals never reached the API: the code is still good for the owner's own contact.
    bound = user.share_contact(contact_phone(household.phone))[0]
    assert household.household_no in shown(bound)


def test_wrong_codes_until_lockout(bot: Harness, world: World) -> None:
    user = bot.user(2201)
    phone = world.household("青禾村", 3).phone
    user.send("/bind")
    assert shown(user.send("ABC")[0]) == T.BIND_CODE_FORMAT  # a typo costs no attempt
    for attempt in range(5):
        user.send(f"ZZZZ234{attempt}")
        assert shown(user.share_contact(contact_phone(phone))[0]) == T.BIND_NO_MATCH
    user.send("ZZZZ2349")
    locked = shown(user.share_contact(contact_phone(phone))[0])
    assert locked == render.fmt(T.BIND_LOCKED, minutes=60)
    assert_unbound(world, user)


def test_used_and_expired_codes_get_their_own_reply(bot: Harness, world: World) -> None:
    from core.records.db import utcnow
    from core.records.households import Household
    from core.records.identity import BindingCode

    used_for, expired_for = world.household("青禾村", 1), world.household("青禾村", 2)
    code = world.code_for(used_for.household_no)
    first = bot.user(2301)
    assert used_for.household_no in shown(bind(first, code, used_for.phone)[0])
    second = bot.user(2302)
    assert shown(bind(second, code, used_for.phone)[0]) == T.BIND_CODE_DEAD

    old = world.code_for(expired_for.household_no)
    with world.services.db.session() as session:
        household_id = session.scalar(
            select(Household.id).where(Household.household_no == expired_for.household_no)
        )
        session.execute(
            update(BindingCode)
            .where(BindingCode.household_id == household_id)
            .values(expires_at=utcnow() - timedelta(hours=1))
        )
    assert shown(bind(second, old, expired_for.phone)[0]) == T.BIND_CODE_DEAD
    assert_unbound(world, second)
