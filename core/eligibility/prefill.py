"""Eligibility facts a bound household's own record already states, so the interview need not ask them.

Only what the record says unambiguously becomes a fact, and only in values facts.yaml allows: the household's
`household_type` (and `monitoring_type` for a 监测户), and for the member the screening is about (chosen by
number, or the only member) `age`, `labor_capacity`, `schooling_stage` and health-derived yes/no facts. A
health entry only ever sets a fact to true (残疾 → has_disability); "健康" sets nothing, because those facts are
about the whole family (家里有人…) and another member may be ill. Facts the caller gives win: the record may
be out of date::

    record = records.eligibility_facts(household_id=7, actor=actor, member=2)   # an audited read
    prefill = prefill_facts(record, registry, member=2, given={"age": 70})
    prefill.facts   # {"household_type": "脱贫户", "labor_capacity": "半劳动力", "schooling_stage": "不在读"}
    prefill.note    # "按您家档案，已知：户类型是脱贫户；按成员2（配偶）的档案：劳动能力是半劳动力、…。档案截至…"
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from core.eligibility import texts
from core.eligibility.facts import FactRegistry, FactType, FactValue
from core.eligibility.screening import EligibilityService, ScreeningResult
from core.errors import InvalidInput

# Person-level facts: about the member the screening concerns.
PERSON_FACTS = ("age", "labor_capacity", "schooling_stage", "has_disability", "has_serious_illness")

# Health entries of a county export (健康状况) that state a yes/no fact outright. Entries are split on list
# separators and each part must match whole, so 无残疾 or 残疾待评定 state nothing.
_HEALTH_SPLIT = re.compile(r"[、,，;；/\s]+")
_DISABILITY = re.compile(
    r"(持证)?(重度|中度|轻度)?(肢体|视力|听力|言语|智力|精神|多重)?残疾(人)?([一二三四1-4]级)?"
)
_ILLNESS = re.compile(r"(患有?)?(长期)?(大病|重病|重大疾病|慢性病|慢病)")
_HEALTH_FACTS = ((_DISABILITY, "has_disability"), (_ILLNESS, "has_serious_illness"))


@dataclass(frozen=True)
class Prefill:
    """Facts taken from the record, a plain-Chinese note saying where each came from, and whose record.

    `member` is the number of the member the person-level facts are about (the one chosen, or the only
    member); None when the screening is about nobody in particular.
    """

    facts: dict[str, FactValue]
    note: str
    member: int | None


@dataclass(frozen=True)
class HouseholdScreening:
    """A screening over the record's facts and the caller's, with what was taken from the record."""

    result: ScreeningResult
    prefill: Prefill


def health_facts(health: str | None) -> set[str]:
    """The yes/no facts a 健康状况 entry makes true, e.g. ``"残疾、长期慢性病"`` → both; ``"健康"`` → none."""
    found: set[str] = set()
    for part in _HEALTH_SPLIT.split((health or "").strip()):
        for pattern, fact in _HEALTH_FACTS:
            if part and pattern.fullmatch(part):
                found.add(fact)
    return found


def _valid(registry: FactRegistry, name: str, value: Any) -> FactValue | None:
    """`value` as the fact's value when facts.yaml declares the fact and allows the value, else None."""
    if value is None or name not in registry:
        return None
    try:
        return registry.coerce(name, value)
    except InvalidInput:
        return None


class MemberFacts(Protocol):
    """What a household record says about one member, values in canonical spelling (records' MemberFacts)."""

    @property
    def number(self) -> int: ...
    @property
    def relation(self) -> str: ...
    @property
    def age(self) -> int | None: ...
    @property
    def labor_capacity(self) -> str | None: ...
    @property
    def health(self) -> str | None: ...
    @property
    def schooling(self) -> str | None: ...


class HouseholdFacts(Protocol):
    """What a household record says that screening can use (records' HouseholdFacts has this shape).

    A protocol, so eligibility never imports the records area; the edge passes the audited read in.
    """

    @property
    def household_type(self) -> str: ...
    @property
    def monitoring_type(self) -> str | None: ...
    @property
    def data_as_of(self) -> date: ...
    @property
    def members(self) -> Sequence[MemberFacts]: ...

    def person(self, member: int | None) -> MemberFacts | None: ...


def household_level(record: HouseholdFacts, registry: FactRegistry) -> dict[str, FactValue]:
    """`household_type`, and `monitoring_type` for a 监测户, when facts.yaml allows the record's values."""
    facts: dict[str, FactValue] = {}
    household_type = _valid(registry, "household_type", record.household_type)
    if household_type is not None:
        facts["household_type"] = household_type
        if household_type == "监测户":
            monitoring_type = _valid(registry, "monitoring_type", record.monitoring_type)
            if monitoring_type is not None:
                facts["monitoring_type"] = monitoring_type
    return facts


def person_level(member: MemberFacts, registry: FactRegistry) -> dict[str, FactValue]:
    """The member's age, labour capacity, schooling stage and the yes/no facts their health entry makes true."""
    candidates: dict[str, Any] = {
        "age": member.age,
        "labor_capacity": member.labor_capacity,
        "schooling_stage": member.schooling,
    }
    for fact in sorted(health_facts(member.health)):
        if fact in registry and registry.spec(fact).type is FactType.BOOL:
            candidates[fact] = True
    facts: dict[str, FactValue] = {}
    for name, value in candidates.items():
        valid = _valid(registry, name, value)
        if valid is not None:
            facts[name] = valid
    return facts


def _describe(registry: FactRegistry, facts: Mapping[str, FactValue]) -> str:
    parts = []
    for name, value in facts.items():
        spec = registry.spec(name)
        if spec.type is FactType.BOOL and value is True and spec.statement:
            parts.append(spec.statement)
        else:
            parts.append(spec.describe(value))
    return texts.PREFILL_ITEM_SEP.join(parts)


def prefill_facts(
    record: HouseholdFacts,
    registry: FactRegistry,
    *,
    member: int | None = None,
    given: Mapping[str, Any] | None = None,
) -> Prefill:
    """The facts the record states for screening `member` (None: the only member, if there is one).

    Facts in `given` are left out (the caller's values win); so is the record's monitoring type when
    the caller says the household is not a 监测户. InvalidInput for an unknown member.
    """
    given = given or {}
    skip: set[str] = set(given)
    if "household_type" in given and given["household_type"] != "监测户":
        skip.add("monitoring_type")
    person = record.person(member)
    household = {k: v for k, v in household_level(record, registry).items() if k not in skip}
    personal = {k: v for k, v in person_level(person, registry).items() if k not in skip} if person else {}
    parts = []
    if household:
        parts.append(texts.PREFILL_HOUSEHOLD.format(items=_describe(registry, household)))
    if personal and person is not None:
        template = texts.PREFILL_MEMBER if person.relation else texts.PREFILL_MEMBER_NO_RELATION
        parts.append(
            template.format(
                number=person.number, relation=person.relation, items=_describe(registry, personal)
            )
        )
    asked = [f for f in PERSON_FACTS if f in registry and f not in skip]
    if person is None and len(record.members) > 1 and asked:
        parts.append(texts.PREFILL_NO_MEMBER.format(count=len(record.members)))
    facts = {**household, **personal}
    if facts:
        note = texts.PREFILL_PART_SEP.join(parts) + texts.PREFILL_END
        note += texts.PREFILL_AS_OF.format(
            date=texts.PREFILL_DATE.format(
                y=record.data_as_of.year, m=record.data_as_of.month, d=record.data_as_of.day
            )
        )
    else:
        note = texts.PREFILL_NOTHING
    return Prefill(facts=facts, note=note, member=person.number if person else None)


def screen_household(
    screener: EligibilityService,
    record: HouseholdFacts,
    facts: Mapping[str, Any],
    measure_ids: list[str] | None = None,
    *,
    member: int | None = None,
) -> HouseholdScreening:
    """Screen the caller's `facts` on top of what the record states (the caller's values win)."""
    prefill = prefill_facts(record, screener.registry, member=member, given=facts)
    result = screener.screen({**prefill.facts, **facts}, measure_ids)
    return HouseholdScreening(result=result, prefill=prefill)
