"""The fact registry: coercion, interview options, plain descriptions, load errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from core.eligibility.facts import FactRegistry, Option
from core.errors import CorpusError, InvalidInput
from tests.unit.eligibility.fixtures import (
    FACTS,
    HOUSEHOLD_TYPES,
    REGISTRY,
)


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("is_dibao", True, True),
        ("is_dibao", "是", True),
        ("is_dibao", "否", False),
        ("is_dibao", "true", True),
        ("is_dibao", " FALSE ", False),
        ("age", 66, 66),
        ("age", "66", 66),
        ("age", " 18 ", 18),
        ("age", 18.0, 18),
        ("age", 0, 0),
        ("age", 120, 120),
        ("household_type", "脱贫户", "脱贫户"),
        ("housing_safety_grade", "D", "D"),
    ],
)
def test_coerce_normalises_values(name: str, raw: Any, value: Any) -> None:
    assert REGISTRY.coerce(name, raw) == value
    assert type(REGISTRY.coerce(name, raw)) is type(value)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("is_dibao", "maybe", "'is_dibao' must be true or false"),
        ("is_dibao", 1, "'is_dibao' must be true or false"),
        ("age", "abc", "'age' must be a whole number from 0 to 120"),
        ("age", 18.5, "'age' must be a whole number"),
        ("age", True, "'age' must be a whole number"),
        ("age", -1, "from 0 to 120; got -1"),
        ("age", "121", "from 0 to 120; got 121"),
        ("household_type", "脱贫", "'household_type' must be one of: 脱贫户, 监测户, 一般农户"),
        ("housing_safety_grade", "d", "must be one of: A, B, C, D"),
        ("income", 1, "Unknown fact 'income'"),
    ],
)
def test_coerce_rejects_bad_values_naming_fact_and_allowed_values(name: str, raw: Any, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        REGISTRY.coerce(name, raw)


def test_options_for_each_fact_type() -> None:
    assert REGISTRY.options("is_dibao") == [Option("是", True), Option("否", False)]
    assert [o.value for o in REGISTRY.options("household_type")] == HOUSEHOLD_TYPES
    assert [o.label for o in REGISTRY.options("housing_safety_grade")] == ["A级", "B级", "C级", "D级"]
    assert REGISTRY.options("age") == [
        Option("17岁及以下", 17),
        Option("18–65岁", 18),
        Option("66岁及以上", 66),
    ]
    assert [o.label for o in REGISTRY.options("age", [16, 18, 61, 66])] == [
        "15岁及以下",
        "16–17岁",
        "18–60岁",
        "61–65岁",
        "66岁及以上",
    ]
    assert REGISTRY.options("age", []) == []
    assert REGISTRY.options("age", [1, 120])[0] == Option("0岁", 0)


def test_explicit_options_in_facts_yaml_win() -> None:
    data = json.loads(json.dumps(FACTS))
    data["facts"]["age"]["options"] = [{"label": "未成年", "value": 10}, {"label": "成年", "value": "30"}]
    assert FactRegistry.from_dict(data).options("age") == [Option("未成年", 10), Option("成年", 30)]


def test_fact_spec_describes_values_in_plain_words() -> None:
    assert REGISTRY.spec("age").describe(66) == "年龄为66岁"
    assert REGISTRY.spec("household_type").describe("监测户") == "户类型是监测户"
    assert REGISTRY.spec("is_tekun").describe(False) == "不是特困供养人员"
    assert REGISTRY.spec("income_below_monitoring_line").describe(False) == "人均纯收入不低于防止返贫监测范围"
    assert REGISTRY.spec("has_sudden_hardship").describe(True) == "因病、因灾、因意外等突发严重困难"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("facts: [1, 2", "Cannot read fact registry"),
        ("- just a list", "top-level mapping"),
        ("facts:\n  x:\n    type: enum\n    label: X\n    question: Q?\n", "non-empty `values`"),
        ("facts:\n  x:\n    type: float\n    label: X\n    question: Q?\n", "fact 'x' is invalid"),
        ("facts:\n  x:\n    type: bool\n    label: X\n", "question"),
    ],
)
def test_registry_load_errors_name_file_and_fact(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        FactRegistry.load(path)


def test_a_registry_reads_back_as_its_facts_yaml() -> None:
    """GET /v1/facts serves the typed registry: the same document facts.yaml declares, in its order."""
    path = Path(__file__).resolve().parents[3] / "policies" / "facts.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    dumped = FactRegistry.from_dict(raw).to_dict()
    assert json.dumps(dumped, ensure_ascii=False) == json.dumps(raw, ensure_ascii=False)
    assert REGISTRY.to_dict() == FACTS
    assert FactRegistry([]).to_dict() == {}  # a corpus without facts.yaml


def test_a_label_saying_what_is_lacking_negates_to_having_it() -> None:
    registry = FactRegistry.from_dict(
        {
            "facts": {
                "no_legal_supporter": {"type": "bool", "label": "申请人是否没有人赡养", "question": "Q？"}
            }
        }
    )
    spec = registry.spec("no_legal_supporter")
    assert (spec.yes_text, spec.no_text) == ("申请人没有人赡养", "申请人有人赡养")
