"""What reads of household records return: masked views for people, and facts for eligibility screening."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.errors import InvalidInput
from core.records.households.values import parse_labor_capacity, parse_schooling


@dataclass(frozen=True)
class MemberView:
    name: str
    relation: str
    id_masked: str
    age: int | None
    labor_capacity: str | None
    health: str | None
    schooling: str | None


@dataclass(frozen=True)
class MeasureView:
    measure_id: str
    name: str | None
    year: int
    content: str
    status: str


@dataclass(frozen=True)
class PaymentView:
    item: str
    amount: Decimal
    paid_on: date
    channel: str
    measure_id: str | None


@dataclass(frozen=True)
class HouseholdSummary:
    household_no: str
    township: str
    village: str
    group_name: str | None
    head_name: str
    phone_masked: str | None
    household_type: str
    monitoring_type: str | None
    risk_level: str | None
    size: int
    data_as_of: date


@dataclass(frozen=True)
class HouseholdStatus:
    """A household's whole record as its own members (or its cadre) may see it; PII masked."""

    household: HouseholdSummary
    helper_name: str | None
    helper_phone: str | None
    members: list[MemberView]
    measures: list[MeasureView]
    payments: list[PaymentView]
    summary: str


@dataclass(frozen=True)
class PaymentsAnswer:
    """The answer to "did X arrive": matching payments, their total and a plain-Chinese reply."""

    item: str | None
    payments: list[PaymentView]
    total: Decimal
    data_as_of: date
    summary: str


@dataclass(frozen=True)
class HouseholdPage:
    items: list[HouseholdSummary]
    total: int
    page: int
    page_size: int


@dataclass(frozen=True)
class MemberFacts:
    """What the record says about one member that eligibility rules can use; no name, no ID number.

    `number` is the member's place in the household's list (1-based), as GET /v1/me/status shows them.
    """

    number: int
    relation: str
    age: int | None
    labor_capacity: str | None
    health: str | None
    schooling: str | None

    @classmethod
    def of_record(
        cls,
        *,
        number: int,
        relation: str,
        age: int | None,
        labor_capacity: str | None,
        health: str | None,
        schooling: str | None,
    ) -> MemberFacts:
        """A member's facts with old spellings mapped as the import maps them; what does not map is None."""
        return cls(
            number=number,
            relation=relation,
            age=age,
            labor_capacity=_lenient(parse_labor_capacity, labor_capacity),
            health=health,
            schooling=_lenient(parse_schooling, schooling),
        )


@dataclass(frozen=True)
class HouseholdFacts:
    """What a household's record says that eligibility screening can use (see `core.eligibility.prefill`)."""

    household_type: str
    monitoring_type: str | None
    data_as_of: date
    members: tuple[MemberFacts, ...]

    def person(self, member: int | None) -> MemberFacts | None:
        """The member person-level facts are about: number `member`, else the only member, else None.

        InvalidInput when `member` is not a number of this record's list.
        """
        if member is None:
            return self.members[0] if len(self.members) == 1 else None
        if not 1 <= member <= len(self.members):
            listed = (
                f"it lists {len(self.members)} members, numbered 1 to {len(self.members)} in the order "
                "GET /v1/me/status shows them"
                if self.members
                else "it lists no members"
            )
            raise InvalidInput(f"member {member} is not in your household's record: {listed}")
        return self.members[member - 1]


def _lenient(parse: Callable[[str], str], value: str | None) -> str | None:
    """A stored value in its canonical spelling, or None when it has none the parser accepts."""
    if not value:
        return None
    try:
        return parse(value)
    except InvalidInput:
        return None
