"""Each measure's rule against the conditions its own basis quotes state: no quoted condition left out.

A table maps condition words of the quoted clauses (一级或者二级, 无法定赡养, 60周岁, 普通本科, C级 …) to the facts
a rule must read when its basis says them. A quote that states such a condition while the measure's rule reads
none of those facts is a rule that over-promises (重度残疾人护理补贴 used to be `eligible` on 持证 alone). Where a
word is not a condition the screener can ask about, the waiver table below says why, and a waiver no longer
needed fails too, so the table stays honest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from core.eligibility.catalog import Catalog, Measure
from core.eligibility.facts import FactRegistry
from core.eligibility.rules import rule_facts

# (pattern in a basis quote, the facts of which the rule must read at least one)
CONDITIONS: tuple[tuple[str, frozenset[str]], ...] = tuple(
    (pattern, frozenset(facts))
    for pattern, facts in (
        (r"一级或者二级|需要长期照护", {"has_severe_disability"}),
        (r"残疾人证", {"has_disability"}),
        (r"无法定赡养|法定义务人", {"no_legal_supporter"}),
        (r"财产状况符合|无机动车辆|存款和有价证券", {"has_large_assets"}),
        (r"收入低于|无生活来源", {"income_below_monitoring_line"}),
        (r"\d+周岁", {"age"}),
        (r"无劳动能力|弱劳动力|半劳动力|具有劳动能力", {"labor_capacity"}),
        (r"[CD]级", {"housing_safety_grade"}),
        (r"不良信用记录", {"has_bad_credit_record"}),
        (r"贷款意愿", {"wants_loan"}),
        (r"就业意愿", {"wants_job"}),
        (r"普通本科|高等职业院校", {"in_higher_vocational"}),
        (r"一、二年级", {"in_vocational_year_1_or_2"}),
        (r"中等职业学校|普通高中|幼儿园|高校|义务教育", {"schooling_stage"}),
        (r"低保(对象|家庭|户)", {"is_dibao"}),
        (r"特困(人员|供养)", {"is_tekun"}),
        (r"脱贫户|监测户|脱贫人口|脱贫家庭|脱贫劳动力|监测对象|返贫致贫人口", {"household_type"}),
        (r"突发|因病、因灾|意外", {"has_sudden_hardship"}),
        (r"慢性病|重病|大病(?!虫)", {"has_serious_illness"}),
        (r"报修|停水", {"has_drinking_water_problem"}),
        (r"跨省务工|县外务工", {"works_away_from_home"}),
        (r"还款困难|展期", {"has_microcredit_loan"}),
        (r"自产|自主发展|种植|养殖", {"industry_type"}),
        # Conditions no fact states: each use must be listed in the measure's `checked_on_application` (the office
        # checks it when the household applies, every result says it) or waived below, with the reason.
        (r"户籍", frozenset()),
        (r"连续务工3个月", frozenset()),
        (r"培训意愿", frozenset()),
        (r"起步(规模|面积)|生产规模", frozenset()),
    )
)

HUKOU = "本县户籍: the service serves the county's own residents; not a screening question"

# (measure id, the word found) -> why the rule need not read a fact for it
WAIVERS: dict[tuple[str, str], str] = {
    ("dibao", "户籍"): HUKOU,
    ("disability-living-subsidy", "户籍"): HUKOU,
    ("edu-college-student-loan", "户籍"): HUKOU,
    ("elderly-allowance", "户籍"): HUKOU,
    ("severe-disability-care-subsidy", "户籍"): HUKOU,
    ("workshop-employment", "户籍"): HUKOU,
    (
        "chick-seedling-subsidy",
        "养殖",
    ): "养殖意愿: a wish to start raising chicks, which industry_type (what is raised "
    "now) cannot tell; the measure lapsed on 2023-12-31 and is decided before any question",
    ("dibao", "低保家庭"): "第九条 渐退期 concerns households already on 低保, not who may apply",
    (
        "entrepreneurship-guarantee-loan",
        "脱贫人口",
    ): "返乡创业农民工、脱贫人口等: an open list, not a condition",
    ("pest-control-service-subsidy", "脱贫户"): "包括脱贫户、监测户和一般农户: every farming household",
    ("tekun-support", "特困人员"): "the measure is the 特困 application itself",
}


@dataclass(frozen=True)
class Gap:
    """A condition word in a basis quote that the measure's rule does not read a fact for."""

    measure_id: str
    word: str
    facts: frozenset[str]
    article: str | None


def gaps(measure: Measure) -> list[Gap]:
    """The condition words in `measure`'s basis quotes whose facts its rule does not read and which its
    `checked_on_application` list does not state either."""
    read = set(rule_facts(measure.rule))
    found: dict[str, Gap] = {}  # by pattern: the first word it found names the gap
    for ref in measure.basis:
        for pattern, facts in CONDITIONS:
            match = re.search(pattern, ref.quote)
            stated = any(re.search(pattern, item) for item in measure.checked_on_application)
            if match and not facts & read and not stated:
                found.setdefault(pattern, Gap(measure.id, match.group(0), facts, ref.article))
    return list(found.values())


def test_every_condition_a_basis_quote_states_is_read_by_the_rule(catalog: Catalog) -> None:
    unexplained = [g for m in catalog for g in gaps(m) if (g.measure_id, g.word) not in WAIVERS]
    assert unexplained == []


def test_every_waiver_is_still_needed(catalog: Catalog) -> None:
    used = {(g.measure_id, g.word) for m in catalog for g in gaps(m)}
    assert set(WAIVERS) - used == set()


def test_conditions_checked_on_application_come_from_the_basis(catalog: Catalog) -> None:
    """Each `checked_on_application` item states a condition word of the measure's own quoted basis."""
    for measure in catalog:
        quotes = " ".join(ref.quote for ref in measure.basis)
        for item in measure.checked_on_application:
            words = [p for p, _ in CONDITIONS if re.search(p, item) and re.search(p, quotes)]
            assert words, f"{measure.id}: {item!r} states no condition of its basis"


def test_the_table_names_only_real_facts(registry: FactRegistry) -> None:
    for _, facts in CONDITIONS:
        assert facts <= set(registry.names)


def test_the_check_catches_a_rule_that_drops_a_quoted_condition(
    catalog: Catalog, registry: FactRegistry
) -> None:
    """重度残疾人护理补贴 as it was: `eligible` on 持证 alone, although 第五条 says 一级或者二级、需要长期照护."""
    measure = catalog.get("severe-disability-care-subsidy")
    old = {**Catalog.to_public_dict(measure), "eligibility": {"fact": "has_disability", "eq": True}}
    before = Catalog.from_dicts([old], registry).get(measure.id)
    missed = [g for g in gaps(before) if (g.measure_id, g.word) not in WAIVERS]
    assert [(g.word, g.facts, g.article) for g in missed] == [
        ("一级或者二级", {"has_severe_disability"}, "第五条")
    ]


@pytest.mark.parametrize(
    ("measure_id", "fact"),
    [
        ("tekun-support", "no_legal_supporter"),  # 第十二条（三）无法定赡养、抚养、扶养义务人
        ("tekun-support", "has_large_assets"),  # 第十三条 财产状况符合本细则第五条
        ("yulu-plan", "in_higher_vocational"),  # 第八条 就读普通本科院校的，不属于雨露计划
        ("edu-vocational-grant", "in_vocational_year_1_or_2"),  # 第六条第（二）项 一、二年级
    ],
)
def test_dropping_any_other_quoted_condition_is_caught(
    catalog: Catalog, registry: FactRegistry, measure_id: str, fact: str
) -> None:
    measure = catalog.get(measure_id)
    conditions = measure.eligibility["all"]
    kept = [c for c in conditions if fact not in _raw_facts(c)]
    assert len(kept) < len(conditions)
    weaker = Catalog.from_dicts([{**Catalog.to_public_dict(measure), "eligibility": {"all": kept}}], registry)
    assert any(fact in g.facts for g in gaps(weaker.get(measure_id)))


def _raw_facts(rule: object) -> set[str]:
    """The facts a raw YAML rule reads."""
    if isinstance(rule, dict):
        if "fact" in rule:
            return {str(rule["fact"])}
        return set().union(*(_raw_facts(v) for v in rule.values()))
    if isinstance(rule, list):
        return set().union(*(_raw_facts(v) for v in rule))
    return set()
