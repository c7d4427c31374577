"""Eligibility screening over a fixture catalog: facts, catalog loading, per-measure tables, interview, properties."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry, FactSpec, FactType, Option
from core.eligibility.rules import Status
from core.eligibility.screening import MAX_CHECKLIST_ITEMS, EligibilityService, QuestionKind, ScreeningResult
from core.errors import CorpusError, InvalidInput, NotFound
from core.knowledge.models import DocumentMeta

# --- fixture data ------------------------------------------------------------------------------------

FACTS: dict[str, Any] = {
    "facts": {
        "household_type": {
            "type": "enum",
            "label": "户类型",
            "values": ["脱贫户", "监测户", "一般农户"],
            "question": "您家现在是哪一类户？",
        },
        "is_dibao": {"type": "bool", "label": "是否低保户", "question": "您家是低保户吗？"},
        "is_tekun": {"type": "bool", "label": "是否特困供养人员", "question": "家里有没有特困供养人员？"},
        "housing_safety_grade": {
            "type": "enum",
            "label": "住房安全等级",
            "values": ["A", "B", "C", "D"],
            "question": "房子鉴定的安全等级是哪一级？",
        },
        "age": {"type": "int", "label": "年龄", "min": 0, "max": 120, "question": "申请人今年多大年纪？"},
        "labor_capacity": {
            "type": "enum",
            "label": "劳动能力",
            "values": ["普通劳动力", "弱劳动力", "半劳动力", "丧失劳动力", "无劳动力"],
            "question": "申请人的劳动能力属于哪一种？",
        },
        "has_bad_credit_record": {
            "type": "bool",
            "label": "是否有不良信用记录",
            "question": "有没有不良信用记录？",
        },
        "schooling_stage": {
            "type": "enum",
            "label": "在读学段",
            "values": ["学前教育", "义务教育", "普通高中", "中等职业教育", "高等教育", "不在读"],
            "question": "家里孩子现在上的是哪一段学？",
        },
        "income_below_monitoring_line": {
            "type": "bool",
            "label": "人均纯收入是否低于防止返贫监测范围",
            "question": "人均纯收入是不是低于监测范围？",
        },
        "has_sudden_hardship": {
            "type": "bool",
            "label": "是否因病、因灾、因意外等突发严重困难",
            "question": "最近有没有突发严重困难？",
        },
        "industry_type": {
            "type": "enum",
            "label": "发展的产业",
            "values": ["种植", "养殖", "种养都有", "没有"],
            "question": "您家今年自己种地或养殖了吗？",
        },
    }
}
REGISTRY = FactRegistry.from_dict(FACTS)

DOCS: dict[str, tuple[DocumentMeta, str]] = {
    "t-housing": (
        DocumentMeta("t-housing", "测试县农村住房安全保障办法", "docs/t-housing.md", "测住建〔2023〕1号"),
        "第五条 脱贫户、监测户、低保户和特困供养人员的住房经鉴定为C级或D级危房的，纳入改造范围。"
        "第六条 D级危房拆除重建，每户补助3.5万元；C级危房维修加固，每户补助1.5万元。",
    ),
    "t-credit": (
        DocumentMeta("t-credit", "测试县脱贫人口小额信贷办法", "docs/t-credit.md", "测乡振〔2023〕3号"),
        "第四条 贷款对象为脱贫户和监测户，借款人年龄在18周岁（含）至65周岁（含）之间，无不良信用记录。",
    ),
    "t-jobs": (
        DocumentMeta("t-jobs", "测试县乡村公益岗位管理办法", "docs/t-jobs.md", None),
        "第三条 公益岗位优先安置脱贫户、监测户中年龄在16至60周岁的弱劳动力、半劳动力。",
    ),
    "t-edu": (
        DocumentMeta("t-edu", "测试县学生资助办法", "docs/t-edu.md", "测教〔2023〕5号"),
        "一、义务教育阶段家庭经济困难寄宿生发放生活补助。"
        "二、普通高中家庭经济困难学生发放国家助学金。"
        "三、中等职业教育在校学生免除学费。",
    ),
    "t-medical": (
        DocumentMeta("t-medical", "测试县医疗保障帮扶办法", "docs/t-medical.md", "测医保〔2023〕2号"),
        "第七条 特困供养人员参加居民医保的个人缴费给予全额资助，低保对象、监测户和脱贫户给予定额资助。",
    ),
    "t-monitoring": (
        DocumentMeta("t-monitoring", "测试县防止返贫监测办法", "docs/t-monitoring.md", "测乡振〔2023〕1号"),
        "第六条 农户人均纯收入低于监测范围，或因病因灾因意外等导致基本生活出现严重困难的，纳入监测。",
    ),
    "t-industry": (
        DocumentMeta("t-industry", "测试县到户产业奖补办法", "docs/t-industry.md", "测乡振〔2023〕9号"),
        "第四条 脱贫户、监测户当年自主发展种植业的，按面积给予奖补。",
    ),
}
POOR_HOUSEHOLD = {
    "any": [
        {"fact": "household_type", "in": ["脱贫户", "监测户"]},
        {"fact": "is_dibao", "eq": True},
        {"fact": "is_tekun", "eq": True},
    ]
}
TARGETED = {"fact": "household_type", "in": ["脱贫户", "监测户"]}


def basis(doc_id: str, article: str, quote: str) -> dict[str, str]:
    assert quote in DOCS[doc_id][1], "fixture quotes must be verbatim"
    return {"doc_id": doc_id, "article": article, "quote": quote}


def measure(
    mid: str, name: str, category: str, eligibility: Any, refs: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "id": mid,
        "name": name,
        "category": category,
        "target_groups": ["脱贫户", "监测户"],
        "summary": f"{name}的大白话说明。",
        "eligibility": eligibility,
        "benefit": "补助",
        "amount": "按规定标准",
        "how_to_apply": ["向村委会提出申请", "乡镇审核"],
        "materials": ["身份证", "户口簿"],
        "department": "测试县有关部门",
        "contact": "0550-0000000",
        "time_limit": "15个工作日",
        "basis": refs,
    }


HOUSING_D = measure(
    "housing-renovation-d",
    "D级危房拆除重建补助",
    "住房安全",
    {"all": [POOR_HOUSEHOLD, {"fact": "housing_safety_grade", "eq": "D"}]},
    [
        basis(
            "t-housing",
            "第五条",
            "第五条 脱贫户、监测户、低保户和特困供养人员的住房经鉴定为C级或D级危房的，纳入改造范围。",
        ),
        basis("t-housing", "第六条", "D级危房拆除重建，每户补助3.5万元"),
    ],
)
HOUSING_C = measure(
    "housing-renovation-c",
    "C级危房维修加固补助",
    "住房安全",
    {"all": [POOR_HOUSEHOLD, {"fact": "housing_safety_grade", "eq": "C"}]},
    [basis("t-housing", "第六条", "C级危房维修加固，每户补助1.5万元。")],
)
MICROCREDIT = measure(
    "microcredit",
    "脱贫人口小额信贷",
    "金融帮扶",
    {
        "all": [
            TARGETED,
            {"fact": "age", "between": [18, 65], "label": "借款人年龄在18至65周岁"},
            {"not": {"fact": "has_bad_credit_record", "eq": True}},
        ]
    },
    [basis("t-credit", "第四条", "借款人年龄在18周岁（含）至65周岁（含）之间，无不良信用记录。")],
)
PUBLIC_JOB = measure(
    "public-welfare-job",
    "乡村公益岗位",
    "就业帮扶",
    {
        "all": [
            TARGETED,
            {"fact": "labor_capacity", "in": ["弱劳动力", "半劳动力"]},
            {"fact": "age", "between": [16, 60]},
        ]
    },
    [
        basis(
            "t-jobs",
            "第三条",
            "第三条 公益岗位优先安置脱贫户、监测户中年龄在16至60周岁的弱劳动力、半劳动力。",
        )
    ],
)
EDU_COMPULSORY = measure(
    "edu-compulsory-boarding-allowance",
    "义务教育寄宿生生活补助",
    "教育资助",
    {"all": [POOR_HOUSEHOLD, {"fact": "schooling_stage", "eq": "义务教育"}]},
    [basis("t-edu", "一", "一、义务教育阶段家庭经济困难寄宿生发放生活补助。")],
)
EDU_HIGH = measure(
    "edu-high-school-grant",
    "普通高中国家助学金",
    "教育资助",
    {"all": [POOR_HOUSEHOLD, {"fact": "schooling_stage", "eq": "普通高中"}]},
    [basis("t-edu", "二", "二、普通高中家庭经济困难学生发放国家助学金。")],
)
EDU_VOCATIONAL = measure(
    "edu-vocational-free-tuition",
    "中职免学费",
    "教育资助",
    {"fact": "schooling_stage", "eq": "中等职业教育"},
    [basis("t-edu", "三", "三、中等职业教育在校学生免除学费。")],
)
MEDICAL = measure(
    "medical-insurance-premium-subsidy",
    "城乡居民医保参保资助",
    "医疗保障",
    POOR_HOUSEHOLD,
    [
        basis(
            "t-medical",
            "第七条",
            "特困供养人员参加居民医保的个人缴费给予全额资助，低保对象、监测户和脱贫户给予定额资助。",
        )
    ],
)
MONITORING = measure(
    "monitoring-identification",
    "防止返贫监测对象识别",
    "防返贫监测",
    {
        "all": [
            {"fact": "household_type", "ne": "监测户"},
            {
                "any": [
                    {"fact": "income_below_monitoring_line", "eq": True},
                    {"fact": "has_sudden_hardship", "eq": True},
                ]
            },
        ]
    },
    [
        basis(
            "t-monitoring",
            "第六条",
            "农户人均纯收入低于监测范围，或因病因灾因意外等导致基本生活出现严重困难的，纳入监测。",
        )
    ],
)
INDUSTRY = measure(
    "industry-planting-award",
    "到户种植业奖补",
    "产业帮扶",
    {"all": [TARGETED, {"fact": "industry_type", "in": ["种植", "种养都有"]}]},
    [basis("t-industry", "第四条", "第四条 脱贫户、监测户当年自主发展种植业的，按面积给予奖补。")],
)
CATALOG_DICTS = [
    HOUSING_D,
    HOUSING_C,
    MICROCREDIT,
    PUBLIC_JOB,
    EDU_COMPULSORY,
    EDU_HIGH,
    EDU_VOCATIONAL,
    MEDICAL,
    MONITORING,
]
HOUSEHOLD_TYPES = ["脱贫户", "监测户", "一般农户"]


def lookup(doc_id: str) -> DocumentMeta | None:
    entry = DOCS.get(doc_id)
    return entry[0] if entry else None


def write_policies(root: Path, measures: list[dict[str, Any]]) -> Path:
    """Lay out a policies folder (facts.yaml + measures/*.yaml) under `root`."""
    folder = root / "policies"
    (folder / "measures").mkdir(parents=True)
    (folder / "facts.yaml").write_text(yaml.safe_dump(FACTS, allow_unicode=True), encoding="utf-8")
    for item in measures:
        path = folder / "measures" / f"{item['id']}.yaml"
        path.write_text(yaml.safe_dump(item, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder


@pytest.fixture
def policies(tmp_path: Path) -> Path:
    return write_policies(tmp_path, CATALOG_DICTS)


@pytest.fixture
def service(policies: Path) -> EligibilityService:
    registry = FactRegistry.load(policies / "facts.yaml")
    return EligibilityService(Catalog.load(policies, registry), registry, lookup)


def screen_one(service: EligibilityService, measure_id: str, facts: dict[str, Any]) -> Any:
    return service.screen(facts, [measure_id]).results[0]


# --- fact registry -----------------------------------------------------------------------------------


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


# --- catalog -----------------------------------------------------------------------------------------


def test_catalog_loads_in_file_order_and_parses_rules(policies: Path) -> None:
    catalog = Catalog.load(policies, REGISTRY)
    assert catalog.ids == sorted(m["id"] for m in CATALOG_DICTS)
    assert len(catalog) == len(CATALOG_DICTS)
    assert "microcredit" in catalog
    assert catalog.get("microcredit").rule is not None


def test_catalog_get_unknown_is_not_found(policies: Path) -> None:
    with pytest.raises(NotFound, match="no-such-measure"):
        Catalog.load(policies, REGISTRY).get("no-such-measure")


def test_public_dict_is_the_whole_measure_without_the_ast(policies: Path) -> None:
    catalog = Catalog.load(policies, REGISTRY)
    public = catalog.to_public_dict(catalog.get("microcredit"))
    assert public == {**MICROCREDIT, "keywords": []}
    json.dumps(public, ensure_ascii=False)


def test_extra_fields_are_kept(tmp_path: Path) -> None:
    folder = write_policies(tmp_path, [{**MEDICAL, "region": "测试县", "keywords": ["看病", "医保"]}])
    catalog = Catalog.load(folder, REGISTRY)
    public = catalog.to_public_dict(catalog.get(MEDICAL["id"]))
    assert public["region"] == "测试县"
    assert public["keywords"] == ["看病", "医保"]


def test_from_dicts_round_trips_a_snapshot(service: EligibilityService, policies: Path) -> None:
    catalog = Catalog.load(policies, REGISTRY)
    snapshot = json.loads(json.dumps(catalog.to_dicts(), ensure_ascii=False))
    restored = EligibilityService(Catalog.from_dicts(snapshot, REGISTRY), REGISTRY, lookup)
    facts = {"household_type": "脱贫户", "housing_safety_grade": "D", "age": 30}
    assert restored.screen(facts).to_dict() == service.screen(facts).to_dict()


def test_from_dicts_rejects_duplicates() -> None:
    with pytest.raises(CorpusError, match="Duplicate measure id 'medical-insurance-premium-subsidy'"):
        Catalog.from_dicts([MEDICAL, MEDICAL], REGISTRY)


def test_folder_without_measures_gives_an_empty_catalog(tmp_path: Path) -> None:
    assert len(Catalog.load(tmp_path, REGISTRY)) == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "other-id"}, "id 'other-id' must equal the file name"),
        ({"basis": []}, "basis"),
        ({"name": None}, "name"),
        ({"how_to_apply": "去村委会"}, "how_to_apply"),
        ({"category": "别的"}, "category '别的' is not one of"),
        ({"eligibility": {"fact": "age", "gt": 1}}, "needs exactly one operator"),
        ({"eligibility": {"fact": "household_type", "eq": "贫困户"}}, "not allowed for 'household_type'"),
        ({"basis": [{"doc_id": "t-credit", "quote": "x", "page": 3}]}, "basis.0.page"),
    ],
)
def test_bad_measures_raise_corpus_error_naming_the_file(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    folder = write_policies(tmp_path, [])
    (folder / "measures" / "microcredit.yaml").write_text(
        yaml.safe_dump({**MICROCREDIT, **change}, allow_unicode=True), encoding="utf-8"
    )
    with pytest.raises(CorpusError, match=message) as info:
        Catalog.load(folder, REGISTRY)
    assert "microcredit.yaml" in info.value.detail


@pytest.mark.parametrize("text", ["id: [unclosed", "- a list", "just text"])
def test_unreadable_measure_files_name_the_file(tmp_path: Path, text: str) -> None:
    folder = write_policies(tmp_path, [])
    (folder / "measures" / "broken.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"broken\.yaml"):
        Catalog.load(folder, REGISTRY)


def test_duplicate_ids_across_yaml_and_yml(tmp_path: Path) -> None:
    folder = write_policies(tmp_path, [MEDICAL])
    text = (folder / "measures" / f"{MEDICAL['id']}.yaml").read_text(encoding="utf-8")
    (folder / "measures" / f"{MEDICAL['id']}.yml").write_text(text, encoding="utf-8")
    with pytest.raises(CorpusError, match="duplicate measure id"):
        Catalog.load(folder, REGISTRY)


# --- per-measure tables ------------------------------------------------------------------------------

YES, NO, ASK = Status.ELIGIBLE, Status.INELIGIBLE, Status.NEED_INFO
GOOD_BORROWER = {"household_type": "脱贫户", "has_bad_credit_record": False}


@pytest.mark.parametrize(
    ("age", "expected", "reason"),
    [
        (17, NO, "年龄不到18周岁，不符合：借款人年龄在18至65周岁"),
        (18, YES, "年龄在18至65周岁之间（符合：借款人年龄在18至65周岁）"),
        (65, YES, "年龄在18至65周岁之间（符合：借款人年龄在18至65周岁）"),
        (66, NO, "年龄超过65周岁，不符合：借款人年龄在18至65周岁"),
    ],
)
def test_microcredit_age_boundaries(
    service: EligibilityService, age: int, expected: Status, reason: str
) -> None:
    result = screen_one(service, "microcredit", {**GOOD_BORROWER, "age": age})
    assert result.status is expected
    assert reason in result.reasons
    assert result.missing == []


def test_age_reasons_never_claim_an_age_the_user_did_not_give(service: EligibilityService) -> None:
    """A bucket button sends one value for a whole range, so every age of a bucket must give its reasons."""
    base = {**GOOD_BORROWER, "labor_capacity": "弱劳动力"}
    ids = ["microcredit", "public-welfare-job"]
    buckets = [(0, 15), (16, 17), (18, 60), (61, 65), (66, 120)]
    for (low, high), option in zip(buckets, service.options("age"), strict=True):

        def reasons(age: int) -> list[tuple[str, ...]]:
            return [tuple(r.reasons) for r in service.screen({**base, "age": age}, ids).results]

        sent = reasons(int(option.value))
        assert all(reasons(age) == sent for age in range(low, high + 1)), option.label
        assert not any(f"{int(option.value)}岁" in reason for item in sent for reason in item), sent


def test_unlabelled_int_conditions_speak_of_the_threshold_not_the_value() -> None:
    rule = {"all": [{"fact": "age", "gte": 60}, {"not": {"fact": "age", "between": [18, 30]}}]}
    service = single_measure_service(rule)
    assert service.screen({"age": 75}).results[0].reasons == [
        "年龄在60周岁及以上",
        "年龄超过30周岁（符合：年龄不在18至30周岁之间）",
    ]
    assert service.screen({"age": 45}).results[0].reasons == ["年龄不到60周岁"]


@pytest.mark.parametrize(
    ("facts", "expected", "missing"),
    [
        ({"household_type": "监测户", "age": 40, "has_bad_credit_record": False}, YES, []),
        ({"household_type": "一般农户"}, NO, []),
        ({"household_type": "脱贫户", "age": 40, "has_bad_credit_record": True}, NO, []),
        ({"household_type": "脱贫户", "age": 40}, ASK, ["has_bad_credit_record"]),
        ({"household_type": "脱贫户"}, ASK, ["age", "has_bad_credit_record"]),
        ({"age": 70}, NO, []),
        ({}, ASK, ["household_type", "age", "has_bad_credit_record"]),
    ],
)
def test_microcredit_household_and_credit(
    service: EligibilityService, facts: dict[str, Any], expected: Status, missing: list[str]
) -> None:
    result = screen_one(service, "microcredit", facts)
    assert (result.status, result.missing) == (expected, missing)


@pytest.mark.parametrize(
    ("grade", "d_status", "c_status"),
    [("A", NO, NO), ("B", NO, NO), ("C", NO, YES), ("D", YES, NO)],
)
@pytest.mark.parametrize("household_type", HOUSEHOLD_TYPES)
def test_housing_each_grade_and_household_type(
    service: EligibilityService, grade: str, d_status: Status, c_status: Status, household_type: str
) -> None:
    facts = {
        "household_type": household_type,
        "is_dibao": False,
        "is_tekun": False,
        "housing_safety_grade": grade,
    }
    by_id = service.screen(facts, ["housing-renovation-d", "housing-renovation-c"]).by_id()
    covered = household_type != "一般农户"
    assert by_id["housing-renovation-d"].status is (d_status if covered else NO)
    assert by_id["housing-renovation-c"].status is (c_status if covered else NO)


@pytest.mark.parametrize(
    ("facts", "expected", "missing"),
    [
        ({"household_type": "一般农户", "is_dibao": True, "housing_safety_grade": "D"}, YES, []),
        ({"household_type": "一般农户", "is_tekun": True, "housing_safety_grade": "D"}, YES, []),
        ({"household_type": "一般农户", "is_dibao": False, "is_tekun": False}, NO, []),
        ({"household_type": "一般农户", "housing_safety_grade": "D"}, ASK, ["is_dibao", "is_tekun"]),
        ({"household_type": "一般农户", "is_dibao": False, "housing_safety_grade": "D"}, ASK, ["is_tekun"]),
        ({"is_tekun": True}, ASK, ["housing_safety_grade"]),
        ({"housing_safety_grade": "B"}, NO, []),
        ({"household_type": "一般农户"}, ASK, ["is_dibao", "is_tekun", "housing_safety_grade"]),
    ],
)
def test_housing_dibao_and_tekun_paths(
    service: EligibilityService, facts: dict[str, Any], expected: Status, missing: list[str]
) -> None:
    result = screen_one(service, "housing-renovation-d", facts)
    assert (result.status, result.missing) == (expected, missing)


def test_housing_reasons_name_grade_and_household(service: EligibilityService) -> None:
    eligible = screen_one(service, "housing-renovation-d", {"is_dibao": True, "housing_safety_grade": "D"})
    assert eligible.reasons == ["是低保户", "住房安全等级是D级"]
    refused = screen_one(
        service, "housing-renovation-d", {"household_type": "脱贫户", "housing_safety_grade": "C"}
    )
    assert refused.reasons == ["住房安全等级是C级，不是D级"]


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [
        ("普通劳动力", NO),
        ("弱劳动力", YES),
        ("半劳动力", YES),
        ("丧失劳动力", NO),
        ("无劳动力", NO),
    ],
)
def test_public_welfare_job_each_labor_capacity(
    service: EligibilityService, capacity: str, expected: Status
) -> None:
    result = screen_one(
        service, "public-welfare-job", {"household_type": "监测户", "labor_capacity": capacity, "age": 50}
    )
    assert result.status is expected
    assert any("劳动能力是" + capacity in reason for reason in result.reasons)


@pytest.mark.parametrize(("age", "expected"), [(15, NO), (16, YES), (60, YES), (61, NO)])
def test_public_welfare_job_age_boundaries(service: EligibilityService, age: int, expected: Status) -> None:
    facts = {"household_type": "脱贫户", "labor_capacity": "弱劳动力", "age": age}
    assert screen_one(service, "public-welfare-job", facts).status is expected


EDU_BY_STAGE = {
    "学前教育": (NO, NO, NO),
    "义务教育": (YES, NO, NO),
    "普通高中": (NO, YES, NO),
    "中等职业教育": (NO, NO, YES),
    "高等教育": (NO, NO, NO),
    "不在读": (NO, NO, NO),
}
EDU_IDS = ["edu-compulsory-boarding-allowance", "edu-high-school-grant", "edu-vocational-free-tuition"]


@pytest.mark.parametrize("stage", list(EDU_BY_STAGE))
@pytest.mark.parametrize("household_type", HOUSEHOLD_TYPES)
def test_education_by_stage(service: EligibilityService, stage: str, household_type: str) -> None:
    facts = {"household_type": household_type, "is_dibao": False, "is_tekun": False, "schooling_stage": stage}
    by_id = service.screen(facts, EDU_IDS).by_id()
    compulsory, high, vocational = EDU_BY_STAGE[stage]
    if household_type == "一般农户":  # only the universal vocational waiver is left
        compulsory, high = NO, NO
    assert [by_id[mid].status for mid in EDU_IDS] == [compulsory, high, vocational]


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"household_type": "脱贫户"}, YES),
        ({"household_type": "监测户"}, YES),
        ({"household_type": "一般农户"}, ASK),
        ({"household_type": "一般农户", "is_dibao": True}, YES),
        ({"household_type": "一般农户", "is_dibao": False, "is_tekun": True}, YES),
        ({"household_type": "一般农户", "is_dibao": False, "is_tekun": False}, NO),
    ],
)
def test_medical_premium_subsidy(
    service: EligibilityService, facts: dict[str, Any], expected: Status
) -> None:
    assert screen_one(service, "medical-insurance-premium-subsidy", facts).status is expected


@pytest.mark.parametrize(
    ("facts", "expected", "missing"),
    [
        ({"household_type": "监测户"}, NO, []),
        ({"household_type": "一般农户", "income_below_monitoring_line": True}, YES, []),
        ({"household_type": "脱贫户", "has_sudden_hardship": True}, YES, []),
        ({"household_type": "脱贫户", "income_below_monitoring_line": False}, ASK, ["has_sudden_hardship"]),
        (
            {
                "household_type": "一般农户",
                "income_below_monitoring_line": False,
                "has_sudden_hardship": False,
            },
            NO,
            [],
        ),
        ({"income_below_monitoring_line": True}, ASK, ["household_type"]),
    ],
)
def test_monitoring_identification(
    service: EligibilityService, facts: dict[str, Any], expected: Status, missing: list[str]
) -> None:
    result = screen_one(service, "monitoring-identification", facts)
    assert (result.status, result.missing) == (expected, missing)


# --- the screening service ---------------------------------------------------------------------------


def test_empty_facts_leave_every_result_need_info_with_missing(service: EligibilityService) -> None:
    result = service.screen({})
    assert [r.measure_id for r in result.results] == sorted(m["id"] for m in CATALOG_DICTS)
    for item in result.results:
        assert item.status is ASK
        assert item.missing
        assert all(reason.startswith("还需要知道") for reason in item.reasons)


def test_decided_results_ignore_unrelated_missing_facts(service: EligibilityService) -> None:
    result = screen_one(service, "microcredit", {"household_type": "一般农户"})
    assert result.status is NO
    assert result.missing == []
    assert result.reasons == ["户类型是一般农户，不属于脱贫户、监测户"]


def test_citations_carry_the_basis_in_ask_shape(service: EligibilityService) -> None:
    result = screen_one(service, "housing-renovation-d", {})
    assert [c.as_dict() for c in result.citations] == [
        {
            "n": 1,
            "doc_id": "t-housing",
            "title": "测试县农村住房安全保障办法",
            "doc_number": "测住建〔2023〕1号",
            "section": "第五条",
            "text": HOUSING_D["basis"][0]["quote"],
            "score": 1.0,
        },
        {
            "n": 2,
            "doc_id": "t-housing",
            "title": "测试县农村住房安全保障办法",
            "doc_number": "测住建〔2023〕1号",
            "section": "第六条",
            "text": "D级危房拆除重建，每户补助3.5万元",
            "score": 1.0,
        },
    ]
    for citation in result.citations:
        assert citation.text in DOCS[citation.doc_id][1]


def test_citation_of_an_unknown_document_falls_back_to_its_id(
    policies: Path, caplog: pytest.LogCaptureFixture
) -> None:
    service = EligibilityService(Catalog.load(policies, REGISTRY), REGISTRY, lambda _doc_id: None)
    citation = screen_one(service, "microcredit", {}).citations[0]
    assert (citation.title, citation.doc_number) == ("t-credit", None)
    assert "t-credit" in caplog.text


def test_to_dict_matches_the_design_shape(service: EligibilityService) -> None:
    body = json.loads(json.dumps(service.screen({"household_type": "脱贫户"}).to_dict(), ensure_ascii=False))
    assert set(body) == {"results", "next_question"}
    item = body["results"][0]
    assert set(item) == {"measure_id", "name", "status", "reasons", "missing", "citations"}
    assert set(item["citations"][0]) == {"n", "doc_id", "title", "doc_number", "section", "text", "score"}
    question = body["next_question"]
    assert set(question) == {"kind", "fact", "facts", "label", "type", "question", "options", "resolves"}
    assert question["kind"] == "choice" and question["facts"] == [question["fact"]]
    assert question["options"][0].keys() == {"label", "value"}


def test_measure_ids_select_dedupe_and_keep_order(service: EligibilityService) -> None:
    result = service.screen({}, ["microcredit", "housing-renovation-c", "microcredit"])
    assert [r.measure_id for r in result.results] == ["microcredit", "housing-renovation-c"]
    assert service.screen({}, []).to_dict() == {"results": [], "next_question": None}


def test_unknown_measure_is_not_found(service: EligibilityService) -> None:
    with pytest.raises(NotFound, match="no-such"):
        service.screen({}, ["microcredit", "no-such"])


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"age": "六十"}, "'age'"),
        ({"household_type": "贫困户"}, "'household_type' must be one of"),
        ({"income": 100}, "Unknown fact 'income'"),
    ],
)
def test_bad_facts_are_invalid_input(
    service: EligibilityService, facts: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        service.screen(facts)


def test_facts_arrive_as_client_strings_and_nulls(service: EligibilityService) -> None:
    facts = {"household_type": "脱贫户", "age": "40", "has_bad_credit_record": "否", "is_dibao": None}
    assert screen_one(service, "microcredit", facts).status is YES


def test_facts_must_be_a_mapping(service: EligibilityService) -> None:
    with pytest.raises(InvalidInput, match="`facts` must be an object"):
        service.screen(["age"])  # type: ignore[arg-type]


# --- next question and the interview -----------------------------------------------------------------


def test_first_question_is_household_type(service: EligibilityService) -> None:
    question = service.screen({}).next_question
    assert question is not None
    assert question.fact == "household_type"
    assert question.question == "您家现在是哪一类户？"
    assert [o.value for o in question.options] == HOUSEHOLD_TYPES
    # every measure but the vocational waiver waits for the household type
    assert question.resolves == len(CATALOG_DICTS) - 1


def test_next_question_picks_the_most_wanted_fact_then_priority(service: EligibilityService) -> None:
    general = service.screen({"household_type": "一般农户"}).next_question
    assert general is not None
    # is_dibao and is_tekun are both wanted by the two housing, two education and the medical measure
    assert (general.fact, general.resolves) == ("is_dibao", 5)
    poor = service.screen({"household_type": "脱贫户"}).next_question
    assert poor is not None
    assert (poor.fact, poor.resolves) == ("schooling_stage", 3)


def test_next_question_is_none_when_all_decided(service: EligibilityService) -> None:
    facts = {"household_type": "监测户", "housing_safety_grade": "A", "age": 70, "schooling_stage": "不在读"}
    result = service.screen(facts)
    assert all(r.status is not ASK for r in result.results)
    assert result.next_question is None


def test_age_options_are_cut_at_the_catalog_thresholds(service: EligibilityService) -> None:
    options = service.options("age")
    assert [o.label for o in options] == ["15岁及以下", "16–17岁", "18–60岁", "61–65岁", "66岁及以上"]
    assert [o.value for o in options] == [15, 16, 18, 61, 66]
    base = {**GOOD_BORROWER, "labor_capacity": "弱劳动力"}

    def statuses(age: int) -> tuple[Status, ...]:
        by_id = service.screen({**base, "age": age}, ["microcredit", "public-welfare-job"]).by_id()
        return by_id["microcredit"].status, by_id["public-welfare-job"].status

    # every age inside a bucket decides both age rules exactly as the bucket's button value does
    for (low, high), option in zip([(0, 15), (16, 17), (18, 60), (61, 65), (66, 120)], options, strict=True):
        assert {statuses(age) for age in range(low, high + 1)} == {statuses(int(option.value))}


def answer(service: EligibilityService, answers: dict[str, Any]) -> tuple[list[str], ScreeningResult]:
    """Run an interview answering from `answers`; return the facts asked in order and the final result."""
    facts: dict[str, Any] = {}
    asked: list[str] = []
    while (question := service.screen(facts).next_question) is not None:
        assert question.fact is not None  # no statements in FACTS: every question is a choice
        asked.append(question.fact)
        option_values = [o.value for o in question.options]
        assert answers[question.fact] in option_values
        facts[question.fact] = answers[question.fact]
    return asked, service.screen(facts)


def test_interview_transcript_for_a_poor_household(service: EligibilityService) -> None:
    answers = {
        "household_type": "脱贫户",
        "schooling_stage": "普通高中",
        "age": 18,
        "housing_safety_grade": "D",
        "labor_capacity": "弱劳动力",
        "has_bad_credit_record": False,
        "income_below_monitoring_line": False,
        "has_sudden_hardship": False,
    }
    asked, final = answer(service, answers)
    assert asked == [
        "household_type",
        "schooling_stage",
        "age",
        "housing_safety_grade",
        "labor_capacity",
        "has_bad_credit_record",
        "income_below_monitoring_line",
        "has_sudden_hardship",
    ]
    statuses = {r.measure_id: r.status for r in final.results}
    assert statuses == {
        "edu-compulsory-boarding-allowance": NO,
        "edu-high-school-grant": YES,
        "edu-vocational-free-tuition": NO,
        "housing-renovation-c": NO,
        "housing-renovation-d": YES,
        "medical-insurance-premium-subsidy": YES,
        "microcredit": YES,
        "monitoring-identification": NO,
        "public-welfare-job": YES,
    }


def test_interview_brute_force_finishes_every_path_within_eight_questions(
    service: EligibilityService,
) -> None:
    report = service.walk_interview()
    assert report.unfinished == []
    assert report.max_questions <= 8
    assert report.ok
    assert report.paths > 100
    # the longest path is the poor household that qualifies for nearly everything
    assert report.max_questions == 8
    assert report.longest_path[0][0].fact == "household_type"
    assert all(q.kind is QuestionKind.CHOICE for q, _ in report.longest_path)  # no statements, no checklists


def test_walk_interview_agrees_with_a_naive_walk_through_screen(service: EligibilityService) -> None:
    """The memoised walk must find the same longest path length and path count as plain recursion."""

    def naive(facts: dict[str, Any]) -> tuple[int, int]:
        result = service.screen(facts)
        if result.next_question is None:
            assert all(r.status is not ASK for r in result.results)
            return 0, 1
        fact = result.next_question.fact
        assert fact is not None
        depth, paths = 0, 0
        for option in result.next_question.options:
            sub_depth, sub_paths = naive({**facts, fact: option.value})
            depth, paths = max(depth, sub_depth), paths + sub_paths
        return depth + 1, paths

    report = service.walk_interview()
    assert (report.max_questions, report.paths) == naive({})


def test_walk_interview_can_start_from_known_facts(service: EligibilityService) -> None:
    report = service.walk_interview(start={"household_type": "一般农户"})
    assert report.ok
    assert report.max_questions == 6  # is_dibao, is_tekun, housing grade, stage, income, hardship
    short = service.walk_interview(["microcredit"], start={"household_type": "脱贫户"})
    assert [q.fact for q, _ in short.longest_path] == ["age", "has_bad_credit_record"]


def test_interview_ends_with_no_need_info_on_sampled_paths(service: EligibilityService) -> None:
    """Walk a handful of explicit paths to the end and check the final screen directly."""
    for household_type in HOUSEHOLD_TYPES:
        facts: dict[str, Any] = {"household_type": household_type}
        while (question := service.screen(facts).next_question) is not None:
            assert question.fact is not None
            facts[question.fact] = question.options[-1].value
        assert all(r.status is not ASK for r in service.screen(facts).results)
        assert len(facts) <= 8


def test_interview_reports_a_catalog_that_needs_more_than_eight(tmp_path: Path) -> None:
    folder = write_policies(tmp_path, [*CATALOG_DICTS, INDUSTRY])
    service = EligibilityService(Catalog.load(folder, REGISTRY), REGISTRY, lookup)
    report = service.walk_interview()
    assert report.unfinished == []
    assert report.max_questions == 9
    assert not report.ok
    assert "industry_type" in [q.fact for q, _ in report.longest_path]


def test_interview_reports_paths_that_cannot_finish() -> None:
    # `gte: 0` on a fact whose minimum is 0 gives no threshold inside its range, hence no buttons
    data = json.loads(json.dumps(FACTS))
    data["facts"]["plot_size"] = {"type": "int", "label": "耕地面积", "min": 0, "question": "有几亩地？"}
    registry = FactRegistry.from_dict(data)
    item = measure("any-plot", "有地就行", "产业帮扶", {"fact": "plot_size", "gte": 0}, MEDICAL["basis"])
    service = EligibilityService(Catalog.from_dicts([item], registry), registry, lookup)
    question = service.screen({}).next_question
    assert question is not None and question.fact == "plot_size" and question.options == []
    report = service.walk_interview()
    assert report.unfinished == [{}]
    assert not report.ok


# --- checklist questions -----------------------------------------------------------------------------

STATEMENTS = {
    "has_bad_credit_record": "在银行有不良信用记录",
    "income_below_monitoring_line": "家里人均年收入低于监测范围",
    "has_sudden_hardship": "最近家里突发严重困难",
}
EXTRA_FACTS: dict[str, Any] = {
    "wants_loan": {
        "type": "bool",
        "label": "是否想贷款发展生产",
        "question": "想贷款吗？",
        "statement": "想贷款搞生产",
    },
    "has_disability": {
        "type": "bool",
        "label": "是否有残疾人",
        "question": "家里有残疾人吗？",
        "statement": "家里有持残疾证的人",
    },
    "has_drinking_water_problem": {
        "type": "bool",
        "label": "饮水是否有困难",
        "question": "吃水有困难吗？",
        "statement": "吃水有困难",
    },
}


def with_statements(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """FACTS plus checklist statements on three of its bool facts and three new bool facts."""
    data = json.loads(json.dumps(FACTS))
    for name, statement in STATEMENTS.items():
        data["facts"][name]["statement"] = statement
    data["facts"].update(json.loads(json.dumps(EXTRA_FACTS)))
    data["facts"].update(extra or {})
    return data


CHECKLIST_REGISTRY = FactRegistry.from_dict(with_statements())
# The same facts without any statement: every question is a choice.
PLAIN_REGISTRY = FactRegistry.from_dict(
    {"facts": {**FACTS["facts"], **{k: {**v, "statement": None} for k, v in EXTRA_FACTS.items()}}}
)
LOAN = measure(
    "microcredit",
    "脱贫人口小额信贷",
    "金融帮扶",
    {
        "all": [
            TARGETED,
            {"fact": "age", "between": [18, 65]},
            {"fact": "wants_loan", "eq": True},
            {"fact": "has_bad_credit_record", "eq": False},
        ]
    },
    MICROCREDIT["basis"],
)
WATER = measure(
    "drinking-water-repair",
    "饮水设施维修",
    "饮水安全",
    {"fact": "has_drinking_water_problem", "eq": True},
    [],
)
DISABILITY = measure(
    "severe-disability-care", "重度残疾人护理补贴", "社会救助", {"fact": "has_disability", "eq": True}, []
)
WATER["basis"] = DISABILITY["basis"] = MEDICAL["basis"]
CHECKLIST_CATALOG = [HOUSING_D, HOUSING_C, LOAN, EDU_VOCATIONAL, MEDICAL, MONITORING, WATER, DISABILITY]
POOR_CHECKLIST = (
    "wants_loan",
    "has_disability",
    "income_below_monitoring_line",
    "has_sudden_hardship",
    "has_drinking_water_problem",
)


@pytest.fixture
def checklist_service() -> EligibilityService:
    catalog = Catalog.from_dicts(CHECKLIST_CATALOG, CHECKLIST_REGISTRY)
    return EligibilityService(catalog, CHECKLIST_REGISTRY, lookup)


def test_statements_belong_to_bool_facts_and_unknown_keys_are_refused() -> None:
    assert CHECKLIST_REGISTRY.spec("has_disability").statement == "家里有持残疾证的人"
    assert REGISTRY.spec("has_sudden_hardship").statement is None
    enum = with_statements({"household_type": {**FACTS["facts"]["household_type"], "statement": "是脱贫户"}})
    with pytest.raises(
        CorpusError, match=r"fact 'household_type' is invalid: .*only bool facts take a `statement`"
    ):
        FactRegistry.from_dict(enum)
    typo = with_statements({"wants_job": {"type": "bool", "label": "L", "question": "Q？", "statment": "S"}})
    with pytest.raises(CorpusError, match="fact 'wants_job' is invalid: statment"):
        FactRegistry.from_dict(typo)
    empty = with_statements({"wants_job": {"type": "bool", "label": "L", "question": "Q？", "statement": ""}})
    with pytest.raises(CorpusError, match="fact 'wants_job' is invalid: statement"):
        FactRegistry.from_dict(empty)


def test_pending_yes_no_facts_are_asked_together_as_a_checklist(
    checklist_service: EligibilityService,
) -> None:
    question = checklist_service.screen({"household_type": "脱贫户"}).next_question
    assert question is not None and question.kind is QuestionKind.CHECKLIST
    assert question.fact is None
    # priority order; has_bad_credit_record waits for wants_loan; housing grade (2 measures) stays a choice
    assert question.facts == POOR_CHECKLIST
    assert question.resolves == 4  # the loan, monitoring, water and disability measures
    assert question.type == "bool" and question.label == "家里的情况"
    assert question.question == "下面这些情况，您家有吗？有的都选上，都没有就直接点“选好了”。"
    for option, fact in zip(question.options, question.facts, strict=True):
        assert (option.value, option.fact) == (fact, fact)
        assert option.label == CHECKLIST_REGISTRY.spec(fact).statement
    body = json.loads(json.dumps(question.to_dict(), ensure_ascii=False))
    assert body["kind"] == "checklist" and body["fact"] is None and body["facts"] == list(POOR_CHECKLIST)
    assert body["options"][0] == {"label": "想贷款搞生产", "value": "wants_loan", "fact": "wants_loan"}


def test_the_first_question_stays_the_broad_choice(checklist_service: EligibilityService) -> None:
    question = checklist_service.screen({}).next_question
    assert question is not None
    assert (question.kind, question.fact, question.facts) == (
        QuestionKind.CHOICE,
        "household_type",
        ("household_type",),
    )


def test_a_checklist_answer_settles_every_listed_fact(checklist_service: EligibilityService) -> None:
    facts: dict[str, Any] = {"household_type": "脱贫户"}
    question = checklist_service.screen(facts).next_question
    assert question is not None
    answer = question.checklist_answer(["has_disability"])
    assert answer == {fact: fact == "has_disability" for fact in POOR_CHECKLIST}
    with pytest.raises(ValueError, match="is_dibao"):
        question.checklist_answer(["is_dibao"])
    result = checklist_service.screen({**facts, **answer})
    by_id = result.by_id()
    assert by_id["severe-disability-care"].status is YES
    assert by_id["drinking-water-repair"].status is NO
    assert by_id["microcredit"].status is NO  # 不想贷款: has_bad_credit_record is never asked
    assert by_id["monitoring-identification"].status is NO
    assert result.next_question is not None
    assert not set(result.next_question.facts) & set(answer)


def test_a_fact_waits_for_its_gate(checklist_service: EligibilityService) -> None:
    assert checklist_service.gates("has_bad_credit_record") == {"wants_loan"}
    assert checklist_service.gates("wants_loan") == frozenset()  # a later fact never gates an earlier one
    everything_else = {fact: False for fact in POOR_CHECKLIST}
    known = {"household_type": "脱贫户", "age": 40, "housing_safety_grade": "A", "schooling_stage": "不在读"}
    facts = {**known, **everything_else, "wants_loan": True}
    question = checklist_service.screen(facts).next_question
    assert question is not None
    # now that it matters, and the only yes/no fact left, it is an ordinary 是/否 choice
    assert (question.kind, question.fact) == (QuestionKind.CHOICE, "has_bad_credit_record")
    assert [o.value for o in question.options] == [True, False]
    report = checklist_service.walk_interview(start={"household_type": "脱贫户", "wants_loan": False})
    assert report.ok
    assert all("has_bad_credit_record" not in q.facts for q, _ in report.longest_path)


def test_answers_enumerate_every_subset_of_a_checklist(checklist_service: EligibilityService) -> None:
    question = checklist_service.screen({"household_type": "脱贫户"}).next_question
    assert question is not None
    answers = list(question.answers())
    assert len(answers) == 2 ** len(POOR_CHECKLIST)
    assert len({tuple(sorted(a.items())) for a in answers}) == len(answers)
    assert all(set(a) == set(POOR_CHECKLIST) for a in answers)
    choice = checklist_service.screen({}).next_question
    assert choice is not None
    assert list(choice.answers()) == [{"household_type": t} for t in HOUSEHOLD_TYPES]


def test_a_checklist_holds_at_most_eight_items() -> None:
    flags = {
        f"flag_{i}": {
            "type": "bool",
            "label": f"是否情况{i}",
            "question": f"有情况{i}吗？",
            "statement": f"有情况{i}",
        }
        for i in range(MAX_CHECKLIST_ITEMS + 2)
    }
    registry = FactRegistry.from_dict({"facts": flags})
    items = [
        measure(f"m-{i}", f"措施{i}", "社会救助", {"fact": f"flag_{i}", "eq": True}, MEDICAL["basis"])
        for i in range(10)
    ]
    service = EligibilityService(Catalog.from_dicts(items, registry), registry, lookup)
    first = service.screen({}).next_question
    assert first is not None and first.kind is QuestionKind.CHECKLIST
    assert first.facts == tuple(f"flag_{i}" for i in range(MAX_CHECKLIST_ITEMS))
    second = service.screen(first.checklist_answer([])).next_question
    assert second is not None and second.kind is QuestionKind.CHECKLIST
    assert second.facts == ("flag_8", "flag_9")
    report = service.walk_interview()
    assert (report.max_questions, report.paths) == (2, 2**10)
    assert report.ok


def naive_walk(service: EligibilityService, facts: dict[str, Any]) -> tuple[int, int]:
    """Longest path and path count by plain recursion through screen(), ticking every subset by hand."""
    result = service.screen(facts)
    question = result.next_question
    if question is None:
        assert all(r.status is not ASK for r in result.results)
        return 0, 1
    if question.kind is QuestionKind.CHECKLIST:
        subsets = [
            [f for i, f in enumerate(question.facts) if mask >> i & 1]
            for mask in range(2 ** len(question.facts))
        ]
        answers: list[dict[str, Any]] = [{f: f in ticked for f in question.facts} for ticked in subsets]
    else:
        assert question.fact is not None
        answers = [{question.fact: o.value} for o in question.options]
    depth, paths = 0, 0
    for answer in answers:
        assert not set(answer) & set(facts), "a question never asks a fact already given"
        sub_depth, sub_paths = naive_walk(service, {**facts, **answer})
        depth, paths = max(depth, sub_depth), paths + sub_paths
    return depth + 1, paths


@pytest.mark.parametrize("household_type", HOUSEHOLD_TYPES)
def test_walk_with_checklists_agrees_with_a_naive_walk(
    checklist_service: EligibilityService, household_type: str
) -> None:
    start = {"household_type": household_type}
    report = checklist_service.walk_interview(start=start)
    assert (report.max_questions, report.paths) == naive_walk(checklist_service, start)


def test_the_checklist_interview_fits_the_budget(checklist_service: EligibilityService) -> None:
    report = checklist_service.walk_interview()
    assert report.ok and report.unfinished == []
    kinds = [q.kind for q, _ in report.longest_path]
    assert QuestionKind.CHECKLIST in kinds
    # without checklists the same catalog would ask each yes/no fact on its own
    plain = EligibilityService(Catalog.from_dicts(CHECKLIST_CATALOG, PLAIN_REGISTRY), PLAIN_REGISTRY, lookup)
    assert (plain.walk_interview().max_questions, report.max_questions) == (10, 6)
    # the longest: household type, the checklist (想贷款 ticked), housing, age, schooling, then credit
    assert [q.facts[0] for q, _ in report.longest_path][-1] == "has_bad_credit_record"


# --- properties --------------------------------------------------------------------------------------

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


def single_measure_service(rule: dict[str, Any]) -> EligibilityService:
    item = measure("random-rule", "随机规则", "社会救助", rule, MEDICAL["basis"])
    return EligibilityService(Catalog.from_dicts([item], REGISTRY), REGISTRY, lookup)


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
