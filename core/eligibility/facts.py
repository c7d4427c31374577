"""The fact registry: the household facts eligibility rules may use, and how to ask for them.

Facts are declared in ``policies/facts.yaml``; their names are a public contract (DESIGN.md). The registry
validates and normalises what a user supplies and offers answer options for an interview::

    registry = FactRegistry.load(Path("policies/facts.yaml"))
    registry.coerce("is_dibao", "是")          # -> True
    registry.coerce("age", "66")              # -> 66
    [o.label for o in registry.options("age")]  # -> ['17岁及以下', '18–65岁', '66岁及以上']
    registry.spec("has_disability").statement   # -> '家里有持残疾证的人' (a checklist item)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from core.eligibility import texts
from core.errors import CorpusError, InvalidInput

FactValue = str | bool | int

# Predicates after 是否 that read naturally without 是, and how each is negated.
_HAS_PREFIXES = ("有",)
_LACK_PREFIX = "没有"  # 没有X -> 有X
_VERB_PREFIXES = ("患", "因", "外出", "参加", "享受")
_MODAL_PREFIXES = ("想", "要", "愿意", "能", "会", "低于", "高于", "超过", "需要")

# Units shown after values: (after a single value, after a range in a requirement).
_DEFAULT_UNITS: dict[str, tuple[str, str]] = {
    "age": ("岁", "周岁"),
    "housing_safety_grade": ("级", "级"),
}
# Where the interview splits an int fact into buttons when the catalog gives no thresholds.
_DEFAULT_BREAKPOINTS: dict[str, tuple[int, ...]] = {"age": (18, 66)}

_TRUE_WORDS = frozenset({"是", "true", "yes", "有", "对"})
_FALSE_WORDS = frozenset({"否", "false", "no", "没有", "无", "不是"})
_INT_RE = re.compile(r"[+-]?\d+")


class FactType(StrEnum):
    """The kind of value a fact holds."""

    ENUM = "enum"
    BOOL = "bool"
    INT = "int"


@dataclass(frozen=True)
class Option:
    """One answer of an interview question: what the user sees and the fact value it sends.

    A checklist item also names the bool fact it settles (`fact`); its `value` is that fact's name too.
    """

    label: str
    value: FactValue
    fact: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``{"label", "value"}``, plus ``"fact"`` for a checklist item."""
        data: dict[str, Any] = {"label": self.label, "value": self.value}
        if self.fact is not None:
            data["fact"] = self.fact
        return data


class _OptionSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str = Field(min_length=1)
    value: FactValue


class FactSpec(BaseModel):
    """One fact of the registry: its type, allowed values and the plain question that asks for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: FactType
    label: str = Field(min_length=1)
    # In facts.yaml's order, so `to_dict` (GET /v1/facts) reads like the file.
    values: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    question: str = Field(min_length=1)
    unit: str | None = Field(default=None, description="Shown after a value, e.g. 岁")
    range_unit: str | None = Field(default=None, description="Shown after a range, e.g. 周岁")
    options: tuple[_OptionSpec, ...] | None = Field(
        default=None, description="Explicit interview options; overrides the generated ones"
    )
    statement: str | None = Field(
        default=None,
        min_length=1,
        max_length=30,
        description="Bool facts only: a short plain statement of the fact being true, e.g. 家里有持残疾证的人. "
        "A fact with a statement may be asked as one item of a checklist question (tick what applies).",
    )

    @model_validator(mode="after")
    def _check_shape(self) -> FactSpec:
        if self.type is FactType.ENUM:
            if not self.values:
                raise ValueError("an enum fact needs a non-empty `values` list")
            if len(set(self.values)) != len(self.values):
                raise ValueError("`values` has duplicates")
        elif self.values:
            raise ValueError(f"a {self.type} fact takes no `values`")
        if self.statement is not None and self.type is not FactType.BOOL:
            raise ValueError("only bool facts take a `statement`")
        if self.type is not FactType.INT and (self.min is not None or self.max is not None):
            raise ValueError("only int facts take `min`/`max`")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min` is greater than `max`")
        return self

    def to_dict(self) -> dict[str, Any]:
        """The spec as facts.yaml declares it: the fields given, without the name (the key there)."""
        return self.model_dump(mode="json", exclude_unset=True, exclude={"name"})

    @property
    def value_unit(self) -> str:
        """Unit written after a single value (岁, 级), or ''."""
        if self.unit is not None:
            return self.unit
        return _DEFAULT_UNITS.get(self.name, ("", ""))[0]

    @property
    def requirement_unit(self) -> str:
        """Unit written after a threshold or range in a requirement (周岁), or ''."""
        if self.range_unit is not None:
            return self.range_unit
        if self.unit is not None:
            return self.unit
        return _DEFAULT_UNITS.get(self.name, ("", ""))[1]

    @property
    def yes_text(self) -> str:
        """Plain phrase for the fact being true, e.g. 是低保户."""
        return _bool_phrases(self.label)[0]

    @property
    def no_text(self) -> str:
        """Plain phrase for the fact being false, e.g. 不是低保户."""
        return _bool_phrases(self.label)[1]

    def describe(self, value: FactValue) -> str:
        """Plain Chinese statement of a (coerced) value, e.g. 年龄为66岁 / 户类型是脱贫户 / 是低保户."""
        if self.type is FactType.BOOL:
            return self.yes_text if value else self.no_text
        template = texts.FACT_INT_VALUE if self.type is FactType.INT else texts.FACT_ENUM_VALUE
        return template.format(label=self.label, value=value, unit=self.value_unit)

    def format_value(self, value: FactValue) -> str:
        """A value with its unit, e.g. 66岁 / C级 / 是."""
        if self.type is FactType.BOOL:
            return texts.FACT_YES if value else texts.FACT_NO
        return f"{value}{self.value_unit}"


def _bool_phrases(label: str) -> tuple[str, str]:
    """Derive (true phrase, false phrase) from a label like 是否低保户 or 饮水是否有困难."""
    marker = texts.FACT_WHETHER
    if marker not in label:
        return texts.FACT_BOOL_PLAIN_TRUE.format(label=label), texts.FACT_BOOL_PLAIN_FALSE.format(label=label)
    subject, rest = label.split(marker, 1)
    if rest.startswith(_LACK_PREFIX):
        return subject + rest, subject + texts.FACT_BOOL_LACK_FALSE.format(rest=rest[len(_LACK_PREFIX) :])
    if rest.startswith(_HAS_PREFIXES):
        return subject + rest, subject + texts.FACT_BOOL_HAS_FALSE.format(rest=rest)
    if rest.startswith(_VERB_PREFIXES):
        return subject + rest, subject + texts.FACT_BOOL_VERB_FALSE.format(rest=rest)
    if rest.startswith(_MODAL_PREFIXES):
        return subject + rest, subject + texts.FACT_BOOL_MODAL_FALSE.format(rest=rest)
    return subject + texts.FACT_BOOL_TRUE.format(rest=rest), subject + texts.FACT_BOOL_FALSE.format(rest=rest)


class FactRegistry:
    """The facts eligibility rules may use, in declaration order."""

    def __init__(self, specs: Iterable[FactSpec]) -> None:
        self._specs: dict[str, FactSpec] = {}
        for spec in specs:
            if spec.name in self._specs:
                raise CorpusError(f"Fact '{spec.name}' is declared twice.")
            self._specs[spec.name] = spec

    @classmethod
    def load(cls, path: Path) -> FactRegistry:
        """Read a facts.yaml file; problems raise CorpusError naming the file and the fact."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CorpusError(f"Cannot read fact registry {path.name}: {exc}") from exc
        return cls.from_dict(data, source=path.name)

    @classmethod
    def from_dict(cls, data: Any, source: str = "facts.yaml") -> FactRegistry:
        """Build a registry from the parsed YAML document ``{"facts": {name: {...}}}``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("facts"), Mapping):
            raise CorpusError(f"{source}: expected a top-level mapping with a `facts:` mapping.")
        specs = []
        for name, body in data["facts"].items():
            if not isinstance(body, Mapping):
                raise CorpusError(f"{source}: fact '{name}' must be a mapping.")
            try:
                specs.append(FactSpec.model_validate({**body, "name": name}))
            except ValidationError as exc:
                problems = "; ".join(
                    f"{'.'.join(str(p) for p in err['loc']) or 'fact'}: {err['msg']}" for err in exc.errors()
                )
                raise CorpusError(f"{source}: fact '{name}' is invalid: {problems}") from exc
        return cls(specs)

    def to_dict(self) -> dict[str, Any]:
        """The registry as facts.yaml declares it, ``{"facts": {name: {...}}}``; {} when it declares no fact."""
        return {"facts": {spec.name: spec.to_dict() for spec in self}} if self._specs else {}

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[FactSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    @property
    def names(self) -> tuple[str, ...]:
        """Fact names in declaration order."""
        return tuple(self._specs)

    def spec(self, name: str) -> FactSpec:
        """The spec of a fact; InvalidInput when the fact is unknown."""
        try:
            return self._specs[name]
        except KeyError:
            raise InvalidInput(f"Unknown fact '{name}'. Known facts: {', '.join(self._specs)}.") from None

    def coerce(self, name: str, value: Any) -> FactValue:
        """Validate and normalise one user-supplied value; InvalidInput names the fact and allowed values."""
        spec = self.spec(name)
        if spec.type is FactType.BOOL:
            return _coerce_bool(spec, value)
        if spec.type is FactType.INT:
            return _coerce_int(spec, value)
        if isinstance(value, str) and value in spec.values:
            return value
        raise InvalidInput(f"Fact '{name}' must be one of: {', '.join(spec.values)}; got {value!r}.")

    def coerce_all(self, facts: Mapping[str, Any]) -> dict[str, FactValue]:
        """Coerce a whole fact mapping; a value of None means 'not known' and is dropped."""
        if not isinstance(facts, Mapping):
            raise InvalidInput("`facts` must be an object mapping fact names to values.")
        return {name: self.coerce(name, value) for name, value in facts.items() if value is not None}

    def options(self, name: str, breakpoints: Iterable[int] | None = None) -> list[Option]:
        """Answer options for an interview question about `name`.

        Enum facts offer their values, bool facts 是/否. An int fact is split into buckets that start at
        each of `breakpoints` (default: the fact's usual thresholds, e.g. 18 and 66 for age); each bucket
        sends one representative value, so every value inside a bucket must decide the rules alike.
        An int fact with no breakpoints gets no options: the client asks for a number.
        """
        spec = self.spec(name)
        if spec.options is not None:
            return [Option(o.label, self.coerce(name, o.value)) for o in spec.options]
        if spec.type is FactType.BOOL:
            return [Option(texts.FACT_YES, True), Option(texts.FACT_NO, False)]
        if spec.type is FactType.ENUM:
            return [Option(spec.format_value(v), v) for v in spec.values]
        points = _DEFAULT_BREAKPOINTS.get(name, ()) if breakpoints is None else breakpoints
        return _int_buckets(spec, points)


def _coerce_bool(spec: FactSpec, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
    raise InvalidInput(f"Fact '{spec.name}' must be true or false (是/否); got {value!r}.")


def _coerce_int(spec: FactSpec, value: Any) -> int:
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
        number = int(value.strip())
    low = spec.min if spec.min is not None else "any"
    high = spec.max if spec.max is not None else "any"
    allowed = f"a whole number from {low} to {high}"
    if number is None:
        raise InvalidInput(f"Fact '{spec.name}' must be {allowed}; got {value!r}.")
    if (spec.min is not None and number < spec.min) or (spec.max is not None and number > spec.max):
        raise InvalidInput(f"Fact '{spec.name}' must be {allowed}; got {number}.")
    return number


def _int_buckets(spec: FactSpec, breakpoints: Iterable[int]) -> list[Option]:
    """Split [min, max] at each breakpoint (a bucket starts there) into labelled options."""
    low_end, high_end = spec.min, spec.max
    points = sorted(
        {p for p in breakpoints if (low_end is None or p > low_end) and (high_end is None or p <= high_end)}
    )
    if not points:
        return []
    unit = spec.value_unit
    starts: list[int | None] = [low_end, *points]
    options = []
    for i, lo in enumerate(starts):
        hi = points[i] - 1 if i < len(points) else high_end
        if lo is not None and lo == hi:
            label = texts.FACT_BUCKET_ONE.format(lo=lo, unit=unit)
        elif i == 0:
            label = texts.FACT_BUCKET_LOW.format(hi=hi, unit=unit)
        elif i == len(points):
            label = texts.FACT_BUCKET_HIGH.format(lo=lo, unit=unit)
        else:
            label = texts.FACT_BUCKET_MID.format(lo=lo, hi=hi, unit=unit)
        # The first bucket sends its top value (17 for 17岁及以下), the others their bottom value.
        value = hi if i == 0 else lo
        assert value is not None  # a middle or last bucket always has a bottom
        options.append(Option(label, value))
    return options
