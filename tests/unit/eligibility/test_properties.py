"""Properties of screening over random rules and facts (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactSpec, FactType
from core.eligibility.screening import MAX_CHECKLIST_ITEMS, EligibilityService, QuestionKind
from tests.unit.eligibility.fixtures import (
    ASK,
    CHECKLIST_REGISTRY,
    MEDICAL,
    NO,
    REGISTRY,
    YES,
    lookup,
    measure,
    single_measure_service,
)

SPECS: list[FactSpec] = list(REGISTRY)
INT_EDGES = [0, 15, 16, 17, 18, 60, 61, 65, 66, 120]


def values_of(spec: FactSpec) -> st.SearchStrategy[Any]:
    if spec.type is FactType.BOOL:
        return st.booleans()
    if spec.type is FactType.ENUM:
        return st.sampled_from(spec.values)
    assert spec.min is not None and spec.max is not None
    return st.one_of(st.sampled_from(INT_EDGES), st.integers(spec.min, spec.max))


def client_form(spec: FactSpec, value: Any) -> st.SearchStrategy[Any]:
    """The value as a client might send it: native, or as text (是/否, "66")."""
    if spec.type is FactType.BOOL:
        return st.sampled_from([value, "是" if value else "否", str(value).lower()])
    if spec.type is FactType.INT:
        return st.sampled_from([value, str(value)])
    return st.just(value)


def condition_for(spec: FactSpec) -> st.SearchStrategy[dict[str, Any]]:
    name = spec.name
    values = values_of(spec)
    singles = st.tuples(st.sampled_from(["eq", "ne"]), values).map(lambda t: {"fact": name, t[0]: t[1]})
    if spec.type is FactType.BOOL:
        return singles
    if spec.type is FactType.ENUM:
        lists = st.tuples(
            st.sampled_from(["in", "not_in"]), st.lists(values, min_size=1, max_size=3, unique=True)
        ).map(lambda t: {"fact": name, t[0]: t[1]})
        return st.one_of(singles, lists)
    bounds = st.tuples(st.sampled_from(["gte", "lte"]), values).map(lambda t: {"fact": name, t[0]: t[1]})
    between = st.tuples(values, values).map(lambda t: {"fact": name, "between": sorted(t)})
    return st.one_of(singles, bounds, between)


CONDITIONS = st.sampled_from(SPECS).flatmap(condition_for)
RULES = st.recursive(
    CONDITIONS,
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
        children.map(lambda x: {"not": x}),
    ),
    max_leaves=10,
)
PARTIAL_FACTS = st.fixed_dictionaries({}, optional={s.name: values_of(s) for s in SPECS})
FULL_FACTS = st.fixed_dictionaries({s.name: values_of(s) for s in SPECS})


def reference(raw: dict[str, Any], facts: dict[str, Any]) -> bool:
    """A straightforward two-valued reading of the rule text, independent of core.eligibility.rules."""
    if "all" in raw:
        return all(reference(child, facts) for child in raw["all"])
    if "any" in raw:
        return any(reference(child, facts) for child in raw["any"])
    if "not" in raw:
        return not reference(raw["not"], facts)
    value = facts[raw["fact"]]
    if "eq" in raw:
        return value == raw["eq"]
    if "ne" in raw:
        return value != raw["ne"]
    if "in" in raw:
        return value in raw["in"]
    if "not_in" in raw:
        return value not in raw["not_in"]
    if "gte" in raw:
        return value >= raw["gte"]
    if "lte" in raw:
        return value <= raw["lte"]
    low, high = raw["between"]
    return low <= value <= high


PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(rule=RULES, facts=PARTIAL_FACTS, data=st.data())
def test_supplying_a_missing_fact_never_leaves_it_missing(
    rule: dict[str, Any], facts: dict[str, Any], data: st.DataObject
) -> None:
    service = single_measure_service(rule)
    before = service.screen(facts).results[0]
    assert (before.status is ASK) == bool(before.missing)
    assert not set(before.missing) & set(facts)
    for fact in before.missing:
        spec = REGISTRY.spec(fact)
        value = data.draw(values_of(spec))
        value = data.draw(client_form(spec, value))
        after = service.screen({**facts, fact: value}).results[0]
        assert fact not in after.missing


@PROPERTY_SETTINGS
@given(rule=RULES, facts=FULL_FACTS)
def test_full_facts_agree_with_the_two_valued_reading(rule: dict[str, Any], facts: dict[str, Any]) -> None:
    result = single_measure_service(rule).screen(facts)
    item = result.results[0]
    assert item.status is (YES if reference(rule, facts) else NO)
    assert item.missing == []
    assert item.reasons
    assert result.next_question is None


@PROPERTY_SETTINGS
@given(rule=RULES, partial=PARTIAL_FACTS, completion=FULL_FACTS)
def test_a_decided_partial_result_never_contradicts_the_rule_text(
    rule: dict[str, Any], partial: dict[str, Any], completion: dict[str, Any]
) -> None:
    result = single_measure_service(rule).screen(partial)
    item = result.results[0]
    if item.status is ASK:
        assert result.next_question is not None
        assert result.next_question.fact in item.missing
        return
    assert result.next_question is None
    # whatever the facts not given turn out to be, the rule text gives the same answer
    assert item.status is (YES if reference(rule, {**completion, **partial}) else NO)


CHECKLIST_SPECS: list[FactSpec] = list(CHECKLIST_REGISTRY)
CHECKLIST_RULES = st.recursive(
    st.sampled_from(CHECKLIST_SPECS).flatmap(condition_for),
    lambda children: st.one_of(
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"all": xs}),
        st.lists(children, min_size=1, max_size=3).map(lambda xs: {"any": xs}),
        children.map(lambda x: {"not": x}),
    ),
    max_leaves=10,
)
CHECKLIST_PARTIAL = st.fixed_dictionaries({}, optional={s.name: values_of(s) for s in CHECKLIST_SPECS})


@PROPERTY_SETTINGS
@given(rule=CHECKLIST_RULES, other=CHECKLIST_RULES, facts=CHECKLIST_PARTIAL, data=st.data())
def test_every_question_asks_missing_facts_and_its_answer_settles_them(
    rule: dict[str, Any], other: dict[str, Any], facts: dict[str, Any], data: st.DataObject
) -> None:
    items = [
        measure("rule-a", "规则甲", "社会救助", rule, MEDICAL["basis"]),
        measure("rule-b", "规则乙", "社会救助", other, MEDICAL["basis"]),
    ]
    service = EligibilityService(Catalog.from_dicts(items, CHECKLIST_REGISTRY), CHECKLIST_REGISTRY, lookup)
    result = service.screen(facts)
    missing = {f for r in result.results for f in r.missing}
    question = result.next_question
    if not missing:
        assert question is None
        return
    assert question is not None
    assert set(question.facts) <= missing
    if question.kind is QuestionKind.CHECKLIST:
        assert 2 <= len(question.facts) <= MAX_CHECKLIST_ITEMS
        assert all(CHECKLIST_REGISTRY.spec(f).statement for f in question.facts)
    answers = list(question.answers())
    if answers:
        answer = data.draw(st.sampled_from(answers))
    else:  # an int question without buttons: the client asks for a number
        assert question.kind is QuestionKind.CHOICE and question.type == "int" and question.fact
        spec = CHECKLIST_REGISTRY.spec(question.fact)
        low = spec.min if spec.min is not None else 0
        answer = {question.fact: data.draw(st.integers(low, spec.max if spec.max is not None else low + 150))}
    after = service.screen({**facts, **answer})
    assert not {f for r in after.results for f in r.missing} & set(question.facts)
