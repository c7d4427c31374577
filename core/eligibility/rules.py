"""Declarative eligibility rules: parsing against the fact registry and three-valued evaluation.

A measure's ``eligibility`` is a tree of ``all`` / ``any`` / ``not`` groups over conditions such as
``{fact: age, between: [18, 65]}`` (policies/README.md). Evaluation uses Kleene's three-valued logic, so a
rule is decided as soon as the facts given decide it, whatever else is unknown::

    rule = parse_rule({"all": [{"fact": "is_dibao", "eq": True}, {"fact": "age", "gte": 18}]}, registry)
    evaluate(rule, {"is_dibao": False}).status   # -> Status.INELIGIBLE (age not needed)
    evaluate(rule, {"is_dibao": True}).missing   # -> ['age']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.eligibility import texts
from core.eligibility.facts import FactRegistry, FactSpec, FactType, FactValue
from core.errors import CorpusError

_GROUP_OPS = ("all", "any", "not")
_LEAF_OPS = ("eq", "ne", "in", "not_in", "gte", "lte", "between")
_INT_ONLY_OPS = ("gte", "lte", "between")


class Status(StrEnum):
    """Outcome of screening one measure."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEED_INFO = "need_info"


@dataclass(frozen=True)
class Condition:
    """A test of one fact: ``fact op value``; `value` is a tuple for in/not_in/between."""

    fact: str
    op: str
    value: Any
    spec: FactSpec = field(repr=False, compare=False)
    label: str | None = None
    # Requirement texts (plain, negated), filled in by parse_rule; reasons are built from them.
    texts: tuple[str, str] = field(default=("", ""), repr=False, compare=False)

    def holds(self, actual: FactValue) -> bool:
        """Two-valued test of a known (coerced) value."""
        op, value = self.op, self.value
        if op == "eq":
            return actual == value
        if op == "ne":
            return actual != value
        if op == "in":
            return actual in value
        if op == "not_in":
            return actual not in value
        if op == "gte":
            return actual >= value
        if op == "lte":
            return actual <= value
        lo, hi = value
        return lo <= actual <= hi


@dataclass(frozen=True)
class AllOf:
    """True when every child is true."""

    children: tuple[Rule, ...]
    label: str | None = None


@dataclass(frozen=True)
class AnyOf:
    """True when at least one child is true."""

    children: tuple[Rule, ...]
    label: str | None = None


@dataclass(frozen=True)
class Not:
    """True when the child is false."""

    child: Rule
    label: str | None = None


Rule = Condition | AllOf | AnyOf | Not


@dataclass
class RuleOutcome:
    """Result of evaluating a rule: a status, plain Chinese reasons and the facts still worth asking."""

    status: Status
    reasons: list[str]
    missing: list[str]


# --- parsing -----------------------------------------------------------------------------------------


def parse_rule(raw: Any, registry: FactRegistry, where: str = "rule") -> Rule:
    """Parse a declarative rule dict; any problem raises CorpusError naming `where` (the measure)."""
    return _parse(raw, registry, where, "eligibility")


def _fail(where: str, path: str, message: str) -> CorpusError:
    return CorpusError(f"{where}: {path}: {message}")


def _parse(raw: Any, registry: FactRegistry, where: str, path: str) -> Rule:
    if not isinstance(raw, Mapping):
        raise _fail(where, path, f"a rule must be a mapping, got {type(raw).__name__}")
    label = raw.get("label")
    if label is not None and (not isinstance(label, str) or not label.strip()):
        raise _fail(where, path, "`label` must be a non-empty string")
    label = label.strip() if label else None
    if "fact" in raw:
        return _parse_condition(raw, registry, where, path, label)
    ops = [key for key in raw if key != "label"]
    if len(ops) != 1 or ops[0] not in _GROUP_OPS:
        raise _fail(
            where,
            path,
            f"expected exactly one of all/any/not or a `fact:` condition, got keys {sorted(map(str, raw))}",
        )
    op = ops[0]
    body = raw[op]
    if op == "not":
        return Not(_parse(body, registry, where, f"{path}.not"), label)
    if not isinstance(body, list) or not body:
        raise _fail(where, path, f"`{op}` needs a non-empty list of rules")
    children = tuple(_parse(child, registry, where, f"{path}.{op}[{i}]") for i, child in enumerate(body))
    return AllOf(children, label) if op == "all" else AnyOf(children, label)


def _parse_condition(
    raw: Mapping[str, Any], registry: FactRegistry, where: str, path: str, label: str | None
) -> Condition:
    fact = raw["fact"]
    if not isinstance(fact, str) or fact not in registry:
        raise _fail(where, path, f"unknown fact {fact!r}; known facts: {', '.join(registry.names)}")
    spec = registry.spec(fact)
    ops = [key for key in raw if key not in ("fact", "label")]
    if len(ops) != 1 or ops[0] not in _LEAF_OPS:
        raise _fail(
            where,
            path,
            f"condition on '{fact}' needs exactly one operator of {', '.join(_LEAF_OPS)}, "
            f"got {sorted(map(str, ops))}",
        )
    op = ops[0]
    raw_value = raw[op]
    if op in _INT_ONLY_OPS and spec.type is not FactType.INT:
        raise _fail(where, path, f"operator `{op}` needs an int fact, but '{fact}' is {spec.type}")
    if op in ("eq", "ne", "gte", "lte"):
        value: Any = _check_value(spec, raw_value, where, path)
    elif op in ("in", "not_in"):
        if not isinstance(raw_value, list) or not raw_value:
            raise _fail(where, path, f"`{op}` on '{fact}' needs a non-empty list")
        value = tuple(dict.fromkeys(_check_value(spec, v, where, path) for v in raw_value))
    else:
        if not isinstance(raw_value, list) or len(raw_value) != 2:
            raise _fail(where, path, f"`between` on '{fact}' needs a list [low, high]")
        lo, hi = (int(_check_value(spec, v, where, path)) for v in raw_value)
        if lo > hi:
            raise _fail(where, path, f"`between` on '{fact}' has low {lo} above high {hi}")
        value = (lo, hi)
    cond = Condition(fact, op, value, spec, label)
    texts = (requirement_text(cond, negate=False), requirement_text(cond, negate=True))
    return Condition(fact, op, value, spec, label, texts)


def _check_value(spec: FactSpec, value: Any, where: str, path: str) -> FactValue:
    """A rule's literal must have the fact's exact type (no string coercion in the catalog)."""
    if spec.type is FactType.BOOL:
        if isinstance(value, bool):
            return value
        raise _fail(where, path, f"'{spec.name}' is a bool fact; value {value!r} is not true/false")
    if spec.type is FactType.INT:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise _fail(where, path, f"'{spec.name}' is an int fact; value {value!r} is not a whole number")
    if isinstance(value, str) and value in spec.values:
        return value
    raise _fail(
        where, path, f"value {value!r} is not allowed for '{spec.name}'; allowed: {', '.join(spec.values)}"
    )


# --- inspection --------------------------------------------------------------------------------------


def iter_conditions(rule: Rule) -> Iterator[Condition]:
    """Every condition of the rule, in rule order."""
    if isinstance(rule, Condition):
        yield rule
    elif isinstance(rule, Not):
        yield from iter_conditions(rule.child)
    else:
        for child in rule.children:
            yield from iter_conditions(child)


def rule_facts(rule: Rule) -> list[str]:
    """The facts a rule reads, deduplicated in rule order."""
    return list(dict.fromkeys(c.fact for c in iter_conditions(rule)))


def breakpoints(rule: Rule, fact: str) -> set[int]:
    """Int values where a condition on `fact` may change truth: every bucket between them decides alike."""
    points: set[int] = set()
    for cond in iter_conditions(rule):
        if cond.fact != fact or cond.spec.type is not FactType.INT:
            continue
        if cond.op == "gte":
            points.add(cond.value)
        elif cond.op == "lte":
            points.add(cond.value + 1)
        elif cond.op == "between":
            points.update((cond.value[0], cond.value[1] + 1))
        elif cond.op in ("eq", "ne"):
            points.update((cond.value, cond.value + 1))
        else:
            for v in cond.value:
                points.update((v, v + 1))
    return points


# --- evaluation --------------------------------------------------------------------------------------


@dataclass
class _Eval:
    value: bool | None
    why: list[str]
    missing: list[str]


def evaluate(rule: Rule, facts: Mapping[str, FactValue], *, exact_ints: bool = True) -> RuleOutcome:
    """Three-valued (Kleene) evaluation over coerced facts; unknown facts are simply absent.

    With ``exact_ints=False`` a reason about an int fact states only which side of the condition's
    thresholds the value lies on (年龄在18至65周岁之间, 年龄超过65周岁), never the value itself: an
    interview button sends one value for a whole range (18–59岁 sends 18), and the reason must not claim
    an age the user never gave. The status and missing facts are the same either way.
    """
    result = _eval(rule, facts, False, exact_ints)
    if result.value is None:
        status = Status.NEED_INFO
    else:
        status = Status.ELIGIBLE if result.value else Status.INELIGIBLE
    return RuleOutcome(status, _dedupe(result.why), _dedupe(result.missing))


def _dedupe(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _eval(rule: Rule, facts: Mapping[str, FactValue], negate: bool, exact_ints: bool) -> _Eval:
    """Evaluate `rule` (or its negation) so that reasons always speak about the effective requirement."""
    if isinstance(rule, Condition):
        return _eval_condition(rule, facts, negate, exact_ints)
    if isinstance(rule, Not):
        inner = _eval(rule.child, facts, not negate, exact_ints)
        return _relabel(inner, rule.label, negate)
    # De Morgan: a negated all-group is an any-group of negated children, and vice versa.
    conjunctive = isinstance(rule, AllOf) != negate
    parts = [_eval(child, facts, negate, exact_ints) for child in rule.children]
    combined = _conjoin(parts) if conjunctive else _disjoin(parts)
    return _relabel(combined, rule.label, negate)


def _conjoin(parts: list[_Eval]) -> _Eval:
    failed = [p for p in parts if p.value is False]
    if failed:
        return _Eval(False, [w for p in failed for w in p.why], [])
    if any(p.value is None for p in parts):
        missing = [m for p in parts if p.value is None for m in p.missing]
        return _Eval(None, [w for p in parts for w in p.why], missing)
    return _Eval(True, [w for p in parts for w in p.why], [])


def _disjoin(parts: list[_Eval]) -> _Eval:
    met = [p for p in parts if p.value is True]
    if met:
        return _Eval(True, [w for p in met for w in p.why], [])
    if any(p.value is None for p in parts):
        missing = [m for p in parts if p.value is None for m in p.missing]
        return _Eval(None, [w for p in parts for w in p.why], missing)
    return _Eval(False, [w for p in parts for w in p.why], [])


def _relabel(result: _Eval, label: str | None, negate: bool) -> _Eval:
    """A labelled group speaks with its own label; the children's reasons become details."""
    if label is None:
        return result
    text = texts.RULE_NEGATED_LABEL.format(label=label) if negate else label
    details = texts.RULE_DETAIL_SEP.join(_dedupe(result.why))
    if result.value is True:
        why = texts.RULE_GROUP_MET.format(label=text)
    elif result.value is False:
        why = texts.RULE_GROUP_FAILED.format(label=text, details=details)
    else:
        why = texts.RULE_GROUP_PENDING.format(label=text, details=details)
    return _Eval(result.value, [why], result.missing)


def _eval_condition(
    cond: Condition, facts: Mapping[str, FactValue], negate: bool, exact_ints: bool = True
) -> _Eval:
    spec = cond.spec
    requirement = cond.texts[negate] or requirement_text(cond, negate)
    if cond.fact not in facts:
        return _Eval(
            None, [texts.RULE_PENDING.format(subject=spec.label, requirement=requirement)], [cond.fact]
        )
    actual_value = facts[cond.fact]
    value = cond.holds(actual_value) != negate
    relative = not exact_ints and spec.type is FactType.INT
    actual = _threshold_side(cond, actual_value) if relative else spec.describe(actual_value)
    if value:
        why = (
            actual if actual == requirement else texts.RULE_MET.format(actual=actual, requirement=requirement)
        )
    elif cond.label is not None or spec.type is FactType.BOOL or relative:
        # A bool fact's own phrase ("不是低保户"), like the side of a threshold ("年龄超过65周岁"), already
        # names the failed condition.
        why = (
            actual
            if cond.label is None
            else texts.RULE_FAILED_LABEL.format(actual=actual, requirement=requirement)
        )
    else:
        why = texts.RULE_FAILED.format(actual=actual, predicate=_predicate(cond, not negate))
    return _Eval(value, [why], [])


def _threshold_side(cond: Condition, actual: FactValue) -> str:
    """What an int value says about one condition, without the value: 年龄在18至65周岁之间 / 年龄不到18周岁.

    Every value inside an interview bucket gives the same phrase, as buckets are cut at the catalog's
    thresholds (core.eligibility.rules.breakpoints); eq/in name their values, which are buckets of one value.
    """
    spec = cond.spec
    op, value = cond.op, cond.value
    if op in ("gte", "lte", "between"):
        low, high = (value, None) if op == "gte" else (None, value) if op == "lte" else value
        unit = spec.requirement_unit
        if low is not None and actual < low:
            return spec.label + texts.RULE_GTE_NEG.format(n=low, u=unit)
        if high is not None and actual > high:
            return spec.label + texts.RULE_LTE_NEG.format(n=high, u=unit)
        return spec.label + _predicate(cond, negate=False)
    values = value if op in ("in", "not_in") else (value,)
    if actual in values:
        return spec.describe(actual)
    shown = texts.RULE_LIST_SEP.join(spec.format_value(v) for v in values)
    return spec.label + (texts.RULE_IS_NOT if len(values) == 1 else texts.RULE_NOT_IN).format(v=shown)


def requirement_text(cond: Condition, negate: bool = False) -> str:
    """Plain Chinese statement of what the condition (or its negation) requires."""
    if cond.label is not None:
        return texts.RULE_NEGATED_LABEL.format(label=cond.label) if negate else cond.label
    spec = cond.spec
    if spec.type is FactType.BOOL:
        allowed = {v for v in (True, False) if cond.holds(v) != negate}
        if allowed == {True}:
            return spec.yes_text
        if allowed == {False}:
            return spec.no_text
        return (texts.RULE_BOOL_ANY if allowed else texts.RULE_BOOL_NONE).format(subject=spec.label)
    return spec.label + _predicate(cond, negate)


def _predicate(cond: Condition, negate: bool) -> str:
    """The requirement without its subject, e.g. 在18至65周岁之间 / 不属于脱贫户、监测户."""
    spec = cond.spec
    op, value = cond.op, cond.value
    if op in ("ne", "not_in"):
        op, negate = {"ne": "eq", "not_in": "in"}[op], not negate
    if op in ("eq", "in"):
        values = value if op == "in" else (value,)
        shown = texts.RULE_LIST_SEP.join(spec.format_value(v) for v in values)
        if len(values) == 1:
            return (texts.RULE_IS_NOT if negate else texts.RULE_IS).format(v=shown)
        return (texts.RULE_NOT_IN if negate else texts.RULE_IN).format(v=shown)
    unit = spec.requirement_unit
    if op == "gte":
        return (texts.RULE_GTE_NEG if negate else texts.RULE_GTE).format(n=value, u=unit)
    if op == "lte":
        return (texts.RULE_LTE_NEG if negate else texts.RULE_LTE).format(n=value, u=unit)
    lo, hi = value
    return (texts.RULE_BETWEEN_NEG if negate else texts.RULE_BETWEEN).format(lo=lo, hi=hi, u=unit)
