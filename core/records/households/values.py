"""The vocabularies of household records and the parsers that bring a county export's spellings to them.

The canonical values are the fact values of policies/facts.yaml; the import and the read views both map
old spellings through these parsers::

    parse_household_type("已脱贫户")   # '脱贫户'
    parse_risk_level("二级")           # 'orange'
    parse_amount("1,200.50元")         # Decimal('1200.50')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from core.errors import InvalidInput

HOUSEHOLD_TYPES = ("脱贫户", "监测户", "一般农户")
MONITORING_TYPES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
RISK_LEVELS = ("red", "orange", "blue")
LABOR_CAPACITIES = ("普通劳动力", "弱劳动力", "半劳动力", "丧失劳动力", "无劳动力")
SCHOOLING_STAGES = ("学前教育", "义务教育", "普通高中", "中等职业教育", "高等教育", "不在读")
MEASURE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Spellings county exports use for the same value → the canonical value (fact values of policies/facts.yaml).
_ALIASES: dict[str, dict[str, str]] = {
    "household_type": {
        "已脱贫户": "脱贫户",
        "脱贫人口": "脱贫户",
        "监测对象": "监测户",
        "一般户": "一般农户",
    },
    "monitoring_type": {"不稳定户": "脱贫不稳定户", "边缘户": "边缘易致贫户", "突发困难户": "突发严重困难户"},
    "risk_level": {
        "红": "red",
        "红色": "red",
        "一级": "red",
        "橙": "orange",
        "橙色": "orange",
        "二级": "orange",
        "蓝": "blue",
        "蓝色": "blue",
        "三级": "blue",
    },
    "schooling": {
        "小学": "义务教育",
        "初中": "义务教育",
        "高中": "普通高中",
        "中职": "中等职业教育",
        "职高": "中等职业教育",
        "技校": "中等职业教育",
        "高职": "高等教育",
        "大专": "高等教育",
        "本科": "高等教育",
        "大学": "高等教育",
        "研究生": "高等教育",
        "幼儿园": "学前教育",
        "非在校生": "不在读",
        "不在校": "不在读",
    },
}


def _canonical(kind: str, value: str, allowed: Sequence[str], what: str) -> str:
    value = value.strip()
    value = _ALIASES.get(kind, {}).get(value, value)
    if value.lower() in allowed:
        value = value.lower()
    if value not in allowed:
        raise InvalidInput(f"unknown {what}; expected one of {', '.join(allowed)}")
    return value


def parse_household_type(value: str) -> str:
    """户类型 → 脱贫户 | 监测户 | 一般农户."""
    return _canonical("household_type", value, HOUSEHOLD_TYPES, "household type")


def parse_monitoring_type(value: str) -> str:
    """监测对象类别 → 脱贫不稳定户 | 边缘易致贫户 | 突发严重困难户."""
    return _canonical("monitoring_type", value, MONITORING_TYPES, "monitoring type")


def parse_risk_level(value: str) -> str:
    """风险等级 (红色/一级/red …) → red | orange | blue."""
    return _canonical("risk_level", value, RISK_LEVELS, "risk level")


def parse_labor_capacity(value: str) -> str:
    return _canonical("labor_capacity", value, LABOR_CAPACITIES, "labor capacity")


def parse_schooling(value: str) -> str:
    return _canonical("schooling", value, SCHOOLING_STAGES, "schooling stage")


def parse_measure_id(value: str) -> str:
    value = value.strip()
    if not MEASURE_ID.match(value):
        raise InvalidInput("a measure id is lowercase letters, digits and hyphens, e.g. microcredit")
    return value


def parse_amount(value: str) -> Decimal:
    """An amount in yuan with at most two decimals (``1,200.50`` ``1200元``), positive."""
    raw = value.strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    try:
        amount = Decimal(raw)
    except InvalidOperation:
        raise InvalidInput("not a number of yuan") from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput("an amount must be a positive number of yuan")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput("an amount has at most two decimals (fen)")
    if amount >= Decimal("100000000"):
        raise InvalidInput("an amount over 100 million yuan is not plausible")
    return amount
