"""The measure catalog: one YAML file per support measure under ``policies/measures/``.

Each measure carries plain-language facts for villagers (what, how much, how to apply, whom to ask), a
declarative eligibility rule (parsed against the fact registry at load time) and the verbatim clauses it
rests on::

    catalog = Catalog.load(Path("policies"), registry)
    measure = catalog.get("microcredit")
    catalog.to_public_dict(measure)["basis"][0]["quote"]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from core.eligibility.facts import FactRegistry
from core.eligibility.rules import Rule, parse_rule
from core.errors import CorpusError, NotFound

MEASURE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
CATEGORIES = (
    "防返贫监测",
    "住房安全",
    "饮水安全",
    "教育资助",
    "医疗保障",
    "金融帮扶",
    "就业帮扶",
    "产业帮扶",
    "社会救助",
    "衔接乡村振兴",
)


class BasisRef(BaseModel):
    """A clause a measure rests on: document, article, and the verbatim quote of its text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    doc_id: str = Field(min_length=1)
    article: str | None = None
    quote: str = Field(min_length=1)


# A money amount per period or per thing: 元/月 (每月), 万元/户 (每户), 元/亩 (每亩) …
AMOUNT_UNIT_PATTERN = r"^(元|万元)/(月|年|学期|天|次|户|人|亩|只|单)$"


class AmountValue(BaseModel):
    """The catalog's amount as a number with its unit, e.g. 90 元/月; `bound` says 最多 (up_to) or 起 (from)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(gt=0, allow_inf_nan=False)
    unit: str = Field(pattern=AMOUNT_UNIT_PATTERN, description="元/月, 元/年, 元/学期, 万元/户 …")
    bound: Literal["up_to", "from"] | None = Field(
        default=None, description="up_to: at most the value (最多); from: the lowest of several (起)"
    )

    @property
    def number(self) -> str:
        """The value as written in Chinese text: 90, 3.5, 7.8."""
        return f"{self.value:g}"


class Measure(BaseModel):
    """One support measure of the catalog."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str = Field(pattern=MEASURE_ID_PATTERN)
    name: str = Field(min_length=1)
    category: str
    target_groups: list[str] = Field(default_factory=list)
    summary: str = Field(min_length=1)
    eligibility: dict[str, Any]
    benefit: str = Field(min_length=1)
    amount: str | None = None
    amount_value: AmountValue | None = None
    how_to_apply: list[str] = Field(min_length=1)
    materials: list[str] = Field(default_factory=list)
    department: str = Field(min_length=1)
    contact: str | None = None
    time_limit: str | None = None
    basis: list[BasisRef] = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    # Conditions of the basis the office checks on the spot when a household applies (起步规模 per animal,
    # 连续务工3个月 shown by a 务工证明 …): the screener does not ask them, every result says them.
    checked_on_application: list[str] = Field(default_factory=list)

    _rule: Rule | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _amount_value_is_in_the_text(self) -> Measure:
        # The number shown to villagers must be one the catalog's own amount text states.
        if self.amount_value is not None:
            if not self.amount:
                raise ValueError("`amount_value` needs the `amount` text it is taken from")
            number, currency = self.amount_value.number, self.amount_value.unit.split("/")[0]
            if not re.search(rf"(?<![\d.]){re.escape(number)}{currency}", self.amount):
                raise ValueError(f"`amount_value` {number}{currency} does not appear in `amount`")
        return self

    @property
    def rule(self) -> Rule:
        """The parsed eligibility rule (set when the catalog loads the measure)."""
        if self._rule is None:
            raise RuntimeError(f"measure {self.id} was built without a registry; load it through Catalog")
        return self._rule

    @classmethod
    def from_dict(cls, data: Any, registry: FactRegistry, where: str) -> Measure:
        """Validate one measure and parse its rule; problems raise CorpusError naming `where`."""
        if not isinstance(data, Mapping):
            raise CorpusError(f"{where}: a measure must be a mapping, got {type(data).__name__}")
        try:
            measure = cls.model_validate(dict(data))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'measure'}: {err['msg']}" for err in exc.errors()
            )
            raise CorpusError(f"{where}: invalid measure: {problems}") from exc
        if measure.category not in CATEGORIES:
            raise CorpusError(f"{where}: category {measure.category!r} is not one of {', '.join(CATEGORIES)}")
        measure._rule = parse_rule(measure.eligibility, registry, where=where)
        return measure


class Catalog:
    """The measures in a fixed order (file name order when loaded from a folder), by id."""

    def __init__(self, measures: Iterable[Measure]) -> None:
        self._measures: dict[str, Measure] = {}
        for measure in measures:
            if measure.id in self._measures:
                raise CorpusError(f"Duplicate measure id '{measure.id}'.")
            self._measures[measure.id] = measure

    @classmethod
    def load(cls, folder: Path, registry: FactRegistry) -> Catalog:
        """Read ``folder/measures/*.yaml``; a folder without measures gives an empty catalog."""
        measures_dir = folder / "measures"
        if not measures_dir.is_dir():
            return cls([])
        paths = sorted(
            [*measures_dir.glob("*.yaml"), *measures_dir.glob("*.yml")], key=lambda p: (p.stem, p.suffix)
        )
        measures: list[Measure] = []
        seen: dict[str, str] = {}
        for path in paths:
            where = f"measures/{path.name}"
            if path.stem in seen:
                raise CorpusError(f"{where}: duplicate measure id '{path.stem}' (also in {seen[path.stem]})")
            seen[path.stem] = where
            try:
                data = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
                raise CorpusError(f"{where}: cannot read YAML: {exc}") from exc
            measure = Measure.from_dict(data, registry, where)
            if measure.id != path.stem:
                raise CorpusError(f"{where}: id '{measure.id}' must equal the file name '{path.stem}'")
            measures.append(measure)
        return cls(measures)

    @classmethod
    def from_dicts(cls, items: Iterable[Mapping[str, Any]], registry: FactRegistry) -> Catalog:
        """Rebuild a catalog from public dicts, e.g. a stored JSON snapshot."""
        measures = []
        for i, item in enumerate(items):
            ident = item.get("id") if isinstance(item, Mapping) else None
            measures.append(Measure.from_dict(item, registry, f"measure {ident or f'#{i}'}"))
        return cls(measures)

    def __iter__(self) -> Iterator[Measure]:
        return iter(self._measures.values())

    def __len__(self) -> int:
        return len(self._measures)

    def __contains__(self, measure_id: object) -> bool:
        return measure_id in self._measures

    @property
    def ids(self) -> list[str]:
        """Measure ids in catalog order."""
        return list(self._measures)

    def get(self, measure_id: str) -> Measure:
        """The measure with this id; NotFound otherwise."""
        try:
            return self._measures[measure_id]
        except KeyError:
            raise NotFound(f"Unknown measure '{measure_id}'.") from None

    @staticmethod
    def to_public_dict(measure: Measure) -> dict[str, Any]:
        """The whole measure as JSON-ready data (extra fields included, the parsed rule left out)."""
        return measure.model_dump(mode="json")

    def to_dicts(self) -> list[dict[str, Any]]:
        """Every measure as public dicts, in order; `from_dicts` reads them back."""
        return [self.to_public_dict(m) for m in self]
