"""Every button's callback data: built and parsed here, one small frozen dataclass per kind of button.

The wire format is what buttons already sent to chats carry, so it never changes (an old button must keep
working or at least be recognised): ``menu:ask``, ``src:<key>:<n>``, ``fb:<key>:1``, ``cl:<key>:<i>``, ``mc:<measure_id>``,
``ck:3``, ``ck:t:0``, ``ck:done``, ``me:payments``, ``ub:yes``, ``hh:v:<household_no>``, ``retry:<update_id>`` …
Telegram refuses callback data over 64 bytes: `build()` raises `TooLong` rather than send such a button.
Handlers are registered with each kind's `PATTERN`, so data the bot never built reaches no handler but the
one for stale buttons::

    data = Source(key="9f86d081", n=2).build()             # 'src:9f86d081:2'
    Source.parse(data)                                      # Source(key='9f86d081', n=2)
    Source.parse("src:9f86d081")                            # None: malformed
    parse("ck:t:0")                                         # CheckToggle(index=0), whatever the kind
    CallbackQueryHandler(on_source, pattern=Source.PATTERN)
    CallbackQueryHandler(check_done, pattern=exact(CheckAction(CheckStep.DONE)))
"""

from __future__ import annotations

import enum
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, Self

MAX_BYTES = 64  # Telegram's limit on callback_data, in UTF-8 bytes

# Ids that come from data (measure ids, 户编号) are taken as they are, up to the byte limit; only a newline is
# refused, as nothing the API issues holds one.
_ID = r"[^\n]+"


class TooLong(ValueError):
    """The callback data would be over Telegram's 64 bytes."""


class Callback(ABC):
    """Base of the kinds of callback data: `build()` makes the wire string, `parse()` reads it back."""

    PATTERN: ClassVar[re.Pattern[str]]

    @abstractmethod
    def _wire(self) -> str:
        """The wire string of this value (checked against `PATTERN` and the byte limit by `build`)."""

    @classmethod
    @abstractmethod
    def _from(cls, match: re.Match[str]) -> Self:
        """The value a match of `PATTERN` stands for."""

    def build(self) -> str:
        """The callback data for a button; `TooLong` over 64 bytes."""
        data = self._wire()
        if len(data.encode()) > MAX_BYTES:
            raise TooLong(f"{type(self).__name__} callback data is {len(data.encode())} bytes")
        # What is built must parse back to the same value, or the button would reach no handler.
        assert self.PATTERN.match(data) is not None, data
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """This kind's value of `data`, or None when `data` is not well-formed data of this kind."""
        if not isinstance(data, str) or len(data.encode()) > MAX_BYTES:
            return None
        match = cls.PATTERN.match(data)
        return cls._from(match) if match else None


def _pattern(regex: str) -> re.Pattern[str]:
    # \Z rather than $: a trailing newline must not slip through.
    return re.compile(f"^{regex}\\Z")


def exact(value: Callback) -> re.Pattern[str]:
    """The pattern of one value (a button with a callback of its own, e.g. 选好了)."""
    return _pattern(re.escape(value.build()))


# -- /start menu ---------------------------------------------------------------------------------------------------
class MenuChoice(enum.StrEnum):
    ASK = "ask"
    CHECK = "check"  # an entry of the /check conversation
    ME = "me"
    HELP = "help"
    REPORT = "report"  # an entry of the /report conversation (家里遇到难处, and the offer under answers)


@dataclass(frozen=True)
class Menu(Callback):
    """A /start button: ``menu:ask``, ``menu:check``, ``menu:me``, ``menu:help``, ``menu:report``."""

    choice: MenuChoice
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"menu:(?P<choice>ask|check|me|help|report)")

    def _wire(self) -> str:
        return f"menu:{self.choice.value}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(MenuChoice(match["choice"]))


# -- answers -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Source(Callback):
    """查看原文[n] under an answer: ``src:<answer key>:<n>``."""

    key: str
    n: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"src:(?P<key>\w{1,32}):(?P<n>\d{1,4})")

    def _wire(self) -> str:
        return f"src:{self.key}:{self.n}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["key"], int(match["n"]))


@dataclass(frozen=True)
class Feedback(Callback):
    """有用 / 没用 under an answer: ``fb:<answer key>:1`` or ``fb:<answer key>:0``."""

    key: str
    helpful: bool
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"fb:(?P<key>\w{1,32}):(?P<vote>[01])")

    def _wire(self) -> str:
        return f"fb:{self.key}:{int(self.helpful)}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["key"], match["vote"] == "1")


@dataclass(frozen=True)
class Clarify(Callback):
    """A measure offered for a follow-up asked without context (which one?): ``cl:<answer key>:<index>``."""

    key: str
    index: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"cl:(?P<key>\w{1,32}):(?P<index>\d{1,2})")

    def _wire(self) -> str:
        return f"cl:{self.key}:{self.index}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["key"], int(match["index"]))


@dataclass(frozen=True)
class MeasureCard(Callback):
    """办理指南 of a measure: ``mc:<measure_id>``."""

    measure_id: str
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(f"mc:(?P<id>{_ID})")

    def _wire(self) -> str:
        return f"mc:{self.measure_id}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["id"])


# -- /check -------------------------------------------------------------------------------------------------------
class CheckStep(enum.StrEnum):
    RESUME = "resume"  # 继续查资格 after an outage (the 重试 of the interview)
    FRESH = "fresh"  # 档案不对，我自己回答
    DONE = "done"  # 选好了 under a checklist
    STOP = "stop"  # 不清楚，先看结果


@dataclass(frozen=True)
class CheckAction(Callback):
    """An interview button that is not an answer: ``ck:resume``, ``ck:fresh``, ``ck:done``, ``ck:stop``."""

    step: CheckStep
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"ck:(?P<step>resume|fresh|done|stop)")

    def _wire(self) -> str:
        return f"ck:{self.step.value}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(CheckStep(match["step"]))


@dataclass(frozen=True)
class CheckAnswer(Callback):
    """The answer button with index `index` of the open question: ``ck:<index>``."""

    index: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"ck:(?P<index>\d+)")

    def _wire(self) -> str:
        return f"ck:{self.index}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(int(match["index"]))


@dataclass(frozen=True)
class CheckToggle(Callback):
    """The ☐/☑ toggle of item `index` of the open checklist: ``ck:t:<index>``."""

    index: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"ck:t:(?P<index>\d+)")

    def _wire(self) -> str:
        return f"ck:t:{self.index}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(int(match["index"]))


# -- my household --------------------------------------------------------------------------------------------------
class MeChoice(enum.StrEnum):
    PAYMENTS = "payments"
    HELPER = "helper"


@dataclass(frozen=True)
class Me(Callback):
    """我的补贴 / 帮扶责任人 under /status: ``me:payments``, ``me:helper``."""

    choice: MeChoice
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"me:(?P<choice>payments|helper)")

    def _wire(self) -> str:
        return f"me:{self.choice.value}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(MeChoice(match["choice"]))


@dataclass(frozen=True)
class Unbind(Callback):
    """确定解除 / 不解除了 under /unbind: ``ub:yes``, ``ub:no``."""

    confirmed: bool
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"ub:(?P<answer>yes|no)")

    def _wire(self) -> str:
        return "ub:yes" if self.confirmed else "ub:no"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["answer"] == "yes")


# -- cadres --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ViewHousehold(Callback):
    """查看 <户编号> under a cadre's list: ``hh:v:<household_no>``."""

    household_no: str
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(f"hh:v:(?P<no>{_ID})")

    def _wire(self) -> str:
        return f"hh:v:{self.household_no}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["no"])


@dataclass(frozen=True)
class IssueCode(Callback):
    """生成绑定码 under a household's record: ``hh:c:<household_no>``."""

    household_no: str
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(f"hh:c:(?P<no>{_ID})")

    def _wire(self) -> str:
        return f"hh:c:{self.household_no}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(match["no"])


@dataclass(frozen=True)
class HouseholdsPage(Callback):
    """下一页 under /households: ``hh:p:<page>``."""

    page: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"hh:p:(?P<page>\d{1,9})")

    def _wire(self) -> str:
        return f"hh:p:{self.page}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(int(match["page"]))


# -- errors --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Retry(Callback):
    """重试 after an outage: ``retry:<update_id>`` of the update whose action failed."""

    update_id: int
    PATTERN: ClassVar[re.Pattern[str]] = _pattern(r"retry:(?P<update_id>\d{1,20})")

    def _wire(self) -> str:
        return f"retry:{self.update_id}"

    @classmethod
    def _from(cls, match: re.Match[str]) -> Self:
        return cls(int(match["update_id"]))


KINDS: tuple[type[Callback], ...] = (
    Menu,
    Source,
    Feedback,
    Clarify,
    MeasureCard,
    CheckAction,
    CheckAnswer,
    CheckToggle,
    Me,
    Unbind,
    ViewHousehold,
    IssueCode,
    HouseholdsPage,
    Retry,
)


def parse(data: object) -> Callback | None:
    """The value of any kind of callback data, or None for data the bot never builds."""
    for kind in KINDS:
        value = kind.parse(data)
        if value is not None:
            return value
    return None
