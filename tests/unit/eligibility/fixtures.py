"""Fixture data of the eligibility tests: a small fact registry, documents and catalog, and the checklist variant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.eligibility.rules import Status
from core.eligibility.screening import EligibilityService
from core.knowledge.models import DocumentMeta

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


def screen_one(service: EligibilityService, measure_id: str, facts: dict[str, Any]) -> Any:
    return service.screen(facts, [measure_id]).results[0]


YES, NO, ASK = Status.ELIGIBLE, Status.INELIGIBLE, Status.NEED_INFO
GOOD_BORROWER = {"household_type": "脱贫户", "has_bad_credit_record": False}

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


def single_measure_service(rule: dict[str, Any]) -> EligibilityService:
    item = measure("random-rule", "随机规则", "社会救助", rule, MEDICAL["basis"])
    return EligibilityService(Catalog.from_dicts([item], REGISTRY), REGISTRY, lookup)
