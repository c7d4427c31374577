"""The procedure as data (core.cases.workflow): which action moves a case where, and who may take it."""

from __future__ import annotations

import pytest

from core.cases.workflow import FINAL, Action, Level, Status, may_act, transition
from core.errors import Forbidden, InvalidInput


def test_the_main_path_runs_village_township_county() -> None:
    assert transition(Status.REPORTED, Action.VERIFY).to is Status.VILLAGE_VERIFIED
    assert transition(Status.REPORTED, Action.VERIFY).level is Level.VILLAGE
    assert transition(Status.VILLAGE_VERIFIED, Action.REVIEW).level is Level.TOWNSHIP
    decide = transition(Status.TOWNSHIP_REVIEWED, Action.DECIDE)
    assert (decide.to, decide.level) == (Status.INCLUDED, Level.COUNTY)
    assert transition(Status.TOWNSHIP_REVIEWED, Action.REJECT).to is Status.NOT_INCLUDED


def test_steps_cannot_be_skipped_and_closed_cases_stay_closed() -> None:
    with pytest.raises(InvalidInput):
        transition(Status.REPORTED, Action.DECIDE)
    with pytest.raises(InvalidInput):
        transition(Status.VILLAGE_VERIFIED, Action.VERIFY)
    for status in FINAL:
        with pytest.raises(InvalidInput):
            transition(status, Action.RETURN)


def test_a_return_is_taken_by_the_level_that_holds_the_case() -> None:
    assert transition(Status.VILLAGE_VERIFIED, Action.RETURN).level is Level.TOWNSHIP
    assert transition(Status.RETURNED, Action.WITHDRAW, resume=Status.REPORTED).level is Level.VILLAGE
    with pytest.raises(InvalidInput):
        transition(Status.RETURNED, Action.RETURN, resume=Status.REPORTED)


def test_only_the_step_s_level_or_an_admin_may_act() -> None:
    verify = transition(Status.REPORTED, Action.VERIFY)
    may_act(verify, "village")
    may_act(verify, None)  # an admin
    with pytest.raises(Forbidden):
        may_act(verify, "township")
    may_act(transition(Status.REPORTED, Action.NOTE), "county")
