"""What a household's record says for eligibility screening: only unambiguous facts, in facts.yaml's values."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from core.eligibility.facts import FactRegistry
from core.eligibility.prefill import health_facts, household_level, person_level, prefill_facts
from core.errors import InvalidInput
from core.records.households import HouseholdFacts, MemberFacts

ROOT = Path(__file__).resolve().parents[3]
REGISTRY = FactRegistry.load(ROOT / "policies" / "facts.yaml")
AS_OF = date(2024, 6, 30)


def member(number: int = 1, **values: object) -> MemberFacts:
    base: dict[str, object] = {
        "relation": "户主",
        "age": 45,
        "labor_capacity": "普通劳动力",
        "health": "健康",
        "schooling": "不在读",
    }
    base.update(values)
    return MemberFacts.of_record(number=number, **base)  # type: ignore[arg-type]


def record(
    *members: MemberFacts, household_type: str = "脱贫户", monitoring_type: str | None = None
) -> HouseholdFacts:
    return HouseholdFacts(
        household_type=household_type, monitoring_type=monitoring_type, data_as_of=AS_OF, members=members
    )


FAMILY = record(
    member(1, relation="户主", age=39, labor_capacity="普通劳动力", health="健康", schooling="不在读"),
    member(2, relation="配偶", age=38, labor_capacity="半劳动力", health="患有大病", schooling="不在读"),
    member(3, relation="之子", age=13, labor_capacity="无劳动力", health="残疾", schooling="义务教育"),
)


@pytest.mark.parametrize(
    ("health", "facts"),
    [
        ("残疾", {"has_disability"}),
        ("肢体残疾二级", {"has_disability"}),
        ("患有大病", {"has_serious_illness"}),
        ("重病", {"has_serious_illness"}),
        ("长期慢性病", {"has_serious_illness"}),
        ("残疾、长期慢性病", {"has_disability", "has_serious_illness"}),
        ("健康", set()),
        ("无残疾", set()),
        ("残疾待评定", set()),
        ("", set()),
        (None, set()),
    ],
)
def test_health_entries_state_only_what_they_say_outright(health: str | None, facts: set[str]) -> None:
    assert health_facts(health) == facts


def test_household_type_and_the_monitoring_type_of_a_monitored_household() -> None:
    assert household_level(record(member()), REGISTRY) == {"household_type": "脱贫户"}
    monitored = record(member(), household_type="监测户", monitoring_type="突发严重困难户")
    assert household_level(monitored, REGISTRY) == {
        "household_type": "监测户",
        "monitoring_type": "突发严重困难户",
    }
    # A monitoring type on a household that is not (or no longer) monitored says nothing.
    stale = record(member(), household_type="脱贫户", monitoring_type="边缘易致贫户")
    assert household_level(stale, REGISTRY) == {"household_type": "脱贫户"}
    assert household_level(record(member(), household_type="五保户"), REGISTRY) == {}


def test_person_facts_only_in_values_facts_yaml_allows() -> None:
    assert person_level(FAMILY.members[2], REGISTRY) == {
        "age": 13,
        "labor_capacity": "无劳动力",
        "schooling_stage": "义务教育",
        "has_disability": True,
    }
    # Old spellings map as the import maps them; what does not map cleanly is left for the interview.
    assert person_level(member(schooling="初中", labor_capacity="弱劳动力或半劳动力"), REGISTRY) == {
        "age": 45,
        "schooling_stage": "义务教育",
    }
    assert "age" not in person_level(member(age=130), REGISTRY)
    assert "age" not in person_level(member(age=None), REGISTRY)
    # 健康 sets no yes/no fact to false: 家里有人… may still be true of another member.
    healthy = person_level(member(health="健康"), REGISTRY)
    assert "has_disability" not in healthy and "has_serious_illness" not in healthy


def test_only_facts_the_registry_declares() -> None:
    registry = FactRegistry.from_dict(
        {"facts": {"age": {"type": "int", "label": "年龄", "question": "多大？", "min": 0, "max": 120}}}
    )
    assert prefill_facts(record(member()), registry).facts == {"age": 45}


def test_the_chosen_member_and_the_note() -> None:
    prefill = prefill_facts(FAMILY, REGISTRY, member=2)
    assert prefill.member == 2
    assert prefill.facts == {
        "household_type": "脱贫户",
        "age": 38,
        "labor_capacity": "半劳动力",
        "schooling_stage": "不在读",
        "has_serious_illness": True,
    }
    assert prefill.note == (
        "按您家档案，已知：户类型是脱贫户；按成员2（配偶）的档案：年龄为38岁、劳动能力是半劳动力、"
        "在读学段是不在读、家里有人得了大病、慢性病。档案截至2024年6月30日，如果和现在不一样，以您说的为准。"
    )


def test_without_a_member_only_household_facts_unless_there_is_one_member() -> None:
    prefill = prefill_facts(FAMILY, REGISTRY)
    assert prefill.facts == {"household_type": "脱贫户"} and prefill.member is None
    assert "家里登记了3口人，没说问的是谁" in prefill.note
    alone = prefill_facts(record(member(age=82, labor_capacity="无劳动力")), REGISTRY)
    assert alone.member == 1 and alone.facts["age"] == 82
    assert "按成员1（户主）的档案：年龄为82岁" in alone.note


def test_facts_given_win_and_are_not_listed() -> None:
    given = {"age": 70, "household_type": "一般农户"}
    monitored = record(*FAMILY.members, household_type="监测户", monitoring_type="边缘易致贫户")
    prefill = prefill_facts(monitored, REGISTRY, member=3, given=given)
    assert "age" not in prefill.facts and "household_type" not in prefill.facts
    assert "monitoring_type" not in prefill.facts  # the caller says the household is not monitored
    assert "年龄" not in prefill.note and "户类型" not in prefill.note
    assert prefill.facts["schooling_stage"] == "义务教育"
    still = prefill_facts(monitored, REGISTRY, given={"household_type": "监测户"})
    assert still.facts == {"monitoring_type": "边缘易致贫户"}
    everything = prefill_facts(record(member()), REGISTRY, given=dict.fromkeys(REGISTRY.names, 1))
    assert everything.facts == {} and everything.note == "这次没有按您家档案填写任何情况。"


@pytest.mark.parametrize("number", [0, 4, 99])
def test_an_unknown_member_is_refused_in_plain_words(number: int) -> None:
    with pytest.raises(InvalidInput, match=f"member {number} is not in your household's record"):
        prefill_facts(FAMILY, REGISTRY, member=number)
    with pytest.raises(InvalidInput, match="lists no members"):
        prefill_facts(record(), REGISTRY, member=1)
