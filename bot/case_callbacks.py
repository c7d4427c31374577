"""Callback data of the hardship-report and case buttons (the kinds of `bot.callbacks`, for the /report and /cases
flows). Wire formats, which buttons already in chats carry and so never change:

    rp:<step>:<n>       ReportStep: a /report answer (step w who, v village, c category, a amount, u urgent,
                        d description done, k confirm) with the index of the option chosen
    cs:v:<case_id>      CaseOpen: 查看 a case
    cs:a:<case_id>:<a>  CaseAct: a step on a case (verify, review, decide, reject, return, note; more: the
                        reporter's answer to a return)
    cs:m:<n> / cs:r:<n> CaseChoice: the monitoring type / risk colour of a decision being taken

    ReportStep(ReportField.CATEGORY, 2).build()      # 'rp:c:2'
    CaseAct("FY241208-0042", "verify").build()       # 'cs:a:FY241208-0042:verify'
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from typing import ClassVar, Self

from bot.callbacks import Callback, _pattern


class ReportField(enum.StrEnum):
    WHO = "w"
    VILLAGE = "v"
    CATEGORY = "c"
    AMOUNT = "a"
    URGENT = "u"
    DESCRIBED = "d"
    CONFIRM = "k"


@dataclass(frozen=True)
class ReportStep(Callback):
    """An answer button of /report: ``rp:<field>:<index>``."""

    field: ReportField
    index: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"rp:(?P<field>[wvcaudk]):(?P<index>\d{1,3})")

    def _wire(self) -> str:
        return f"rp:{self.field.value}:{self.index}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(ReportField(match["field"]), int(match["index"]))


_CASE_ID = r"FY\d{6}-\d{4,10}"
CASE_ACTIONS = (
    "verify",
    "review",
    "decide",
    "reject",
    "return",
    "note",
    "more",
)  # more: the reporter answers a return


@dataclass(frozen=True)
class CaseOpen(Callback):
    """查看 a case in a cadre's queue: ``cs:v:<case_id>``."""

    case_id: str
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(f"cs:v:(?P<id>{_CASE_ID})")

    def _wire(self) -> str:
        return f"cs:v:{self.case_id}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["id"])


@dataclass(frozen=True)
class CaseAct(Callback):
    """A next-action button under a case: ``cs:a:<case_id>:<action>``."""

    case_id: str
    action: str
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(
        f"cs:a:(?P<id>{_CASE_ID}):(?P<action>{'|'.join(CASE_ACTIONS)})"
    )

    def _wire(self) -> str:
        return f"cs:a:{self.case_id}:{self.action}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["id"], match["action"])


@dataclass(frozen=True)
class CaseChoice(Callback):
    """The monitoring type (``cs:m:<n>``) or risk colour (``cs:r:<n>``) of a decision being taken."""

    kind: str
    index: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"cs:(?P<kind>[mr]):(?P<index>\d)")

    def _wire(self) -> str:
        return f"cs:{self.kind}:{self.index}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["kind"], int(match["index"]))


CASE_KINDS: tuple[type[Callback], ...] = (ReportStep, CaseOpen, CaseAct, CaseChoice)
