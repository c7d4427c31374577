"""Who may see what: a cadre's jurisdiction (the county, a township, or a village of a township)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.sql import ColumnElement

from core.errors import InvalidInput
from core.records.households.tables import Household

JURISDICTION_LEVELS = ("county", "township", "village")


@dataclass(frozen=True)
class Jurisdiction:
    """The households a cadre looks after: the whole county, one township, or one village of a township."""

    level: str
    township: str | None = None
    village: str | None = None

    def __post_init__(self) -> None:
        if self.level not in JURISDICTION_LEVELS:
            raise InvalidInput(f"jurisdiction level must be one of {', '.join(JURISDICTION_LEVELS)}")
        if self.level in ("township", "village") and not self.township:
            raise InvalidInput("a township or village jurisdiction names its township")
        if self.level == "village" and not self.village:
            raise InvalidInput("a village jurisdiction names its village")
        if self.level == "county" and (self.township or self.village):
            raise InvalidInput("a county jurisdiction names no township or village")
        if self.level == "township" and self.village:
            raise InvalidInput("a township jurisdiction names no village")

    @classmethod
    def county(cls) -> Jurisdiction:
        return cls("county")

    @classmethod
    def of_township(cls, township: str) -> Jurisdiction:
        return cls("township", township)

    @classmethod
    def of_village(cls, township: str, village: str) -> Jurisdiction:
        return cls("village", township, village)

    def clause(self) -> list[ColumnElement[bool]]:
        """WHERE conditions selecting exactly the households in this jurisdiction."""
        conds: list[ColumnElement[bool]] = []
        if self.township is not None:
            conds.append(Household.township == self.township)
        if self.village is not None:
            conds.append(Household.village == self.village)
        return conds

    def label(self) -> str:
        return {
            "county": "全县",
            "township": self.township or "",
            "village": f"{self.township}{self.village}",
        }[self.level]
