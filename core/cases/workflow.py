"""The procedure as data: statuses, the actions that move a case on, who may take them, and the step deadlines.

    农户申报 (reported) ──verify──▶ 村级核实 (village_verified) ──review──▶ 乡镇审核 (township_reviewed)
        ──decide──▶ 纳入监测 (included: monitoring type + risk colour)
        ──reject──▶ 不纳入 (not_included: the reason in plain words)
    from any open step: return ──▶ returned (more material; the household's answer puts it back where it was)
                        withdraw ──▶ withdrawn
    note: a remark (and attachments) on the case, status unchanged

Each open status waits on one level (village, township, county, or the household for `returned`); a cadre acts
on the steps of their own level, an admin (the county bureau) on any. The deadline of a step is counted in
working days from the day the case reached it; per-step defaults come from settings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from core.errors import Forbidden, InvalidInput


class Status(enum.StrEnum):
    REPORTED = "reported"
    VILLAGE_VERIFIED = "village_verified"
    TOWNSHIP_REVIEWED = "township_reviewed"
    INCLUDED = "included"
    NOT_INCLUDED = "not_included"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


# For the OpenAPI page (English: developers read it); the Chinese labels are `core.cases.texts`.
STATUS_DESCRIPTIONS: dict[Status, str] = {
    Status.REPORTED: "农户申报: reported by the household (or for it, 代报); waits for the village's home visit",
    Status.VILLAGE_VERIFIED: "村级核实: the village verified it at home (入户核实); waits for the township",
    Status.TOWNSHIP_REVIEWED: "乡镇审核: the township reviewed it; waits for the county's decision",
    Status.INCLUDED: "县级确认·纳入监测: the county took the household into monitoring (type and risk colour)",
    Status.NOT_INCLUDED: "县级确认·不纳入: the county decided not to include it, with the reason",
    Status.RETURNED: "退回补充材料: returned to the household for more material; its answer resumes the step",
    Status.WITHDRAWN: "已撤回: withdrawn by the household",
}

FINAL = frozenset({Status.INCLUDED, Status.NOT_INCLUDED, Status.WITHDRAWN})
OPEN = frozenset(Status) - FINAL


class Level(enum.StrEnum):
    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"
    HOUSEHOLD = "household"


# Which level each open status waits on.
WAITS_ON: dict[Status, Level] = {
    Status.REPORTED: Level.VILLAGE,
    Status.VILLAGE_VERIFIED: Level.TOWNSHIP,
    Status.TOWNSHIP_REVIEWED: Level.COUNTY,
    Status.RETURNED: Level.HOUSEHOLD,
}
# The level above, whose queue shows a case that is overdue at a level.
ESCALATES_TO: dict[Level, Level] = {Level.VILLAGE: Level.TOWNSHIP, Level.TOWNSHIP: Level.COUNTY}


class Action(enum.StrEnum):
    VERIFY = "verify"
    REVIEW = "review"
    DECIDE = "decide"
    REJECT = "reject"
    RETURN = "return"
    WITHDRAW = "withdraw"
    NOTE = "note"
    LINK = "link"


ACTION_DESCRIPTIONS: dict[Action, str] = {
    Action.VERIFY: "村级核实 done (入户核实): reported → village_verified; a village cadre",
    Action.REVIEW: "乡镇审核 done: village_verified → township_reviewed; a township cadre",
    Action.DECIDE: "县级确认, 纳入监测: township_reviewed → included; needs monitoring_type and risk_level; county",
    Action.REJECT: "县级确认, 不纳入: township_reviewed → not_included; the note is the reason; county",
    Action.RETURN: "退回补充材料: any open step → returned; the note says what is missing; the step's level",
    Action.WITHDRAW: "撤回 on the household's word: any open step → withdrawn; the step's level",
    Action.NOTE: "a remark on the case (not shown to the household); any cadre who may see it",
    Action.LINK: "link the case to a household record (household_no in the jurisdiction); any cadre",
}

# Actions that move a case from one status to the next: (from, action) → to.
_MOVES: dict[tuple[Status, Action], Status] = {
    (Status.REPORTED, Action.VERIFY): Status.VILLAGE_VERIFIED,
    (Status.VILLAGE_VERIFIED, Action.REVIEW): Status.TOWNSHIP_REVIEWED,
    (Status.TOWNSHIP_REVIEWED, Action.DECIDE): Status.INCLUDED,
    (Status.TOWNSHIP_REVIEWED, Action.REJECT): Status.NOT_INCLUDED,
}

CATEGORIES = ("因病", "因灾", "因意外", "因学", "失业", "产业失败", "其他")
AMOUNT_RANGES = ("under_5k", "5k_20k", "20k_50k", "over_50k", "unknown")
MONITORING_TYPES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
RISK_LEVELS = ("red", "orange", "blue")

# What a category says for the eligibility screening of the measures that follow a decision (fact names are the
# public contract of `policies/facts.yaml`).
CATEGORY_FACTS: dict[str, dict[str, bool]] = {
    "因病": {"has_serious_illness": True, "has_sudden_hardship": True},
    "因灾": {"has_sudden_hardship": True},
    "因意外": {"has_sudden_hardship": True},
    "因学": {"has_sudden_hardship": True},
    "失业": {"wants_job": True},
    "产业失败": {},
    "其他": {},
}


@dataclass(frozen=True)
class Move:
    """What an action does to a case: the status it leaves the case in, and the level that may take it."""

    to: Status
    level: Level | None  # None: any cadre who may see the case


def transition(status: Status, action: Action, *, resume: Status | None = None) -> Move:
    """The move `action` makes from `status`; InvalidInput when the case is not at a step that allows it."""
    if action in (Action.NOTE, Action.LINK):
        return Move(status, None)
    if status in FINAL:
        raise InvalidInput(f"the case is closed ({status.value}); nothing more can be done to it")
    if action in (Action.RETURN, Action.WITHDRAW):
        if status is Status.RETURNED and action is Action.RETURN:
            raise InvalidInput("the case is already returned to the household")
        level = WAITS_ON[resume if status is Status.RETURNED and resume else status]
        target = Status.RETURNED if action is Action.RETURN else Status.WITHDRAWN
        return Move(target, None if level is Level.HOUSEHOLD else level)
    to = _MOVES.get((status, action))
    if to is None:
        raise InvalidInput(f"'{action.value}' is not possible while the case is {status.value}")
    return Move(to, WAITS_ON[status])


def may_act(move: Move, cadre_level: str | None) -> None:
    """Forbidden unless the cadre's level takes this step (None: an admin, who may take any)."""
    if cadre_level is None or move.level is None or move.level.value == cadre_level:
        return
    raise Forbidden(f"this step is taken at {move.level.value} level")


def step_days(level: Level, *, village: int, township: int, county: int) -> int | None:
    """The working days a level has for its step (None: the household has no deadline)."""
    return {Level.VILLAGE: village, Level.TOWNSHIP: township, Level.COUNTY: county}.get(level)
