"""Generate the FICTIONAL sample export `examples/households.xlsx` (and larger ones for benchmarks).

Every household, person, ID number and phone number here is invented. ID numbers use the non-existent region
code 999001 (999xxx in exports over 1,000 people; valid GB 11643 checksum, obviously not real); phones are 1380000xxxx (households) and
1390000xxxx (帮扶责任人). The county 青禾县 and its townships do not exist.

    python examples/make_households.py                       # writes examples/households.xlsx (36 households)
    python examples/make_households.py --households 10000 --out /tmp/big.xlsx
    python examples/make_households.py --households 10000 --csv /tmp/big-csv   # one CSV per sheet
"""

from __future__ import annotations

import argparse
import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent

TOWNSHIPS = {
    "青禾镇": ("柳湾村", "青禾村"),
    "白沙乡": ("白沙村", "河口村"),
    "柳河镇": ("柳河村", "杨庄村"),
    "石桥乡": ("石桥村", "枣林村"),
    "东岭镇": ("东岭村", "松坡村"),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = (
    "建国",
    "秀英",
    "桂兰",
    "德明",
    "志强",
    "玉梅",
    "春生",
    "凤英",
    "国庆",
    "海燕",
    "小军",
    "丽娟",
    "大山",
    "二妹",
)
CHILD_GIVEN = ("子涵", "雨桐", "浩然", "欣怡", "梓萱", "俊杰", "思远", "佳怡")
HELPERS = ("周文斌", "孙丽华", "郑国栋", "冯晓梅", "陈卫东", "刘芳", "何永强", "马春燕", "罗建华", "林小红")
DATA_AS_OF = date(2024, 6, 30)
REGION = "999001"  # no such region: the ID numbers are fictional by construction

HOUSEHOLD_HEADERS = (
    "户编号",
    "乡镇",
    "行政村",
    "组",
    "户主姓名",
    "联系电话",
    "户类型",
    "监测对象类别",
    "风险等级",
    "家庭人口",
    "帮扶责任人",
    "帮扶责任人电话",
    "数据截止日期",
)
MEMBER_HEADERS = ("户编号", "姓名", "证件号码", "与户主关系", "年龄", "劳动技能", "健康状况", "在校生状况")
MEASURE_HEADERS = ("户编号", "措施编号", "年度", "帮扶内容", "落实情况")
PAYMENT_HEADERS = ("户编号", "发放项目", "金额（元）", "发放日期", "发放渠道", "措施编号")
NOTES = (
    "本文件为虚构示例数据（FICTIONAL SAMPLE DATA），仅用于演示帮扶通的户信息导入。",
    "青禾县及其乡镇、村、农户、姓名、身份证号、电话号码均为虚构，不对应任何真实的人。",
    "身份证号使用不存在的地区码999001，校验位符合GB 11643；电话为1380000xxxx、1390000xxxx。",
    "工作表：户信息、家庭成员、帮扶措施、资金发放；列名说明见 examples/README.md。",
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def fictional_id(born: date, seq: int) -> str:
    """A fictional 18-character ID number with a valid GB 11643 check character, unique per `seq`."""
    region = REGION if seq < 1000 else f"999{1 + seq // 1000:03d}"  # 999xxx: no such region either
    first17 = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


@dataclass
class Export:
    households: list[tuple[object, ...]] = field(default_factory=list)
    members: list[tuple[object, ...]] = field(default_factory=list)
    measures: list[tuple[object, ...]] = field(default_factory=list)
    payments: list[tuple[object, ...]] = field(default_factory=list)


def _born(rng: random.Random, age: int) -> date:
    return date(DATA_AS_OF.year - age, 1, 1) + timedelta(days=rng.randrange(0, 365))


def generate(n: int = 36, *, seed: int = 20240630) -> Export:
    """A reproducible fictional export of `n` households spread over the five townships."""
    rng = random.Random(seed)
    out = Export()
    villages = [(t, v) for t, vs in TOWNSHIPS.items() for v in vs]
    id_seq = 0
    for i in range(n):
        township, village = villages[i % len(villages)]
        t_no = list(TOWNSHIPS).index(township) + 1
        v_no = TOWNSHIPS[township].index(village) + 1
        household_no = f"990001{t_no:02d}{v_no:02d}{i // len(villages) + 1:04d}"
        kind = ("脱贫户", "脱贫户", "监测户", "一般农户")[i % 4]
        monitoring = (
            rng.choice(("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")) if kind == "监测户" else ""
        )
        risk = {"监测户": rng.choice(("红色", "橙色")), "脱贫户": rng.choice(("橙色", "蓝色"))}.get(kind, "")
        surname = SURNAMES[i % len(SURNAMES)]
        head_age = rng.randint(38, 72)
        people = [(f"{surname}{rng.choice(GIVEN)}", "户主", head_age)]
        if rng.random() < 0.85:
            people.append(
                (f"{rng.choice(SURNAMES)}{rng.choice(GIVEN)}", "配偶", head_age - rng.randint(0, 4))
            )
        for _ in range(rng.randint(0, 3)):
            people.append(
                (f"{surname}{rng.choice(CHILD_GIVEN)}", rng.choice(("之子", "之女")), rng.randint(4, 20))
            )
        helper = HELPERS[i % len(HELPERS)]
        out.households.append(
            (
                household_no,
                township,
                village,
                f"{rng.randint(1, 8)}组",
                people[0][0],
                f"138{i + 1:08d}",  # 1380000xxxx
                kind,
                monitoring,
                risk,
                len(people),
                helper,
                f"1390000{HELPERS.index(helper) + 1:04d}",
                DATA_AS_OF,
            )
        )
        for name, relation, age in people:
            id_seq += 1
            if age < 18:
                labor = "无劳动力"
                schooling = "学前教育" if age < 6 else ("义务教育" if age < 15 else "普通高中")
            else:
                labor = (
                    rng.choice(("普通劳动力", "普通劳动力", "弱劳动力", "半劳动力"))
                    if age < 65
                    else "弱劳动力"
                )
                schooling = "不在读"
            health = rng.choice(("健康", "健康", "健康", "长期慢性病", "患有大病", "残疾"))
            out.members.append(
                (
                    household_no,
                    name,
                    fictional_id(_born(rng, age), id_seq),
                    relation,
                    age,
                    labor,
                    health,
                    schooling,
                )
            )
        if kind == "一般农户":
            continue
        pays: list[tuple[str, float, date, str]] = []
        if rng.random() < 0.7:
            out.measures.append(
                (household_no, "industry-breeding-award", 2024, "养鸡200只、生猪2头到户产业奖补", "已落实")
            )
            pays.append(("到户产业奖补", 2600.0, date(2024, 5, 20), "industry-breeding-award"))
            out.measures.append(
                (household_no, "chick-seedling-subsidy", 2024, "麻黄鸡苗200只，每只补2元", "已落实")
            )
            pays.append(("鸡苗补助", 400.0, date(2024, 3, 12), "chick-seedling-subsidy"))
        if any(age >= 18 for _, _, age in people[:2]) and rng.random() < 0.5:
            out.measures.append((household_no, "public-welfare-job", 2024, "村道保洁公益岗位", "已落实"))
            for month in (3, 4, 5, 6):
                pays.append(("公益岗位工资", 500.0, date(2024, month, 15), "public-welfare-job"))
        if rng.random() < 0.35:
            out.measures.append(
                (household_no, "microcredit", 2023, "脱贫人口小额信贷3万元，用于养殖", "已落实")
            )
            pays.append(("小额信贷贴息", 247.5, date(2024, 3, 21), "microcredit"))
        if kind == "监测户" and rng.random() < 0.5:
            out.measures.append((household_no, "housing-renovation-d", 2023, "D级危房拆除重建", "已落实"))
            pays.append(("危房改造补助", 35000.0, date(2023, 11, 8), "housing-renovation-d"))
        if any(relation != "户主" and 15 <= age < 18 for _, relation, age in people):
            out.measures.append(
                (household_no, "edu-high-school-grant", 2024, "普通高中国家助学金一档", "已落实")
            )
            pays.append(("高中国家助学金", 1250.0, date(2024, 4, 10), "edu-high-school-grant"))
        if rng.random() < 0.3:
            out.measures.append(
                (household_no, "yulu-plan", 2024, "雨露计划职业教育补助（春季学期）", "实施中")
            )
        for item, amount, paid_on, measure_id in pays:
            out.payments.append((household_no, item, amount, paid_on, "一卡通", measure_id))
    return out


def write_xlsx(export: Export, path: Path) -> None:
    """The export as one workbook: a notes sheet marking it fictional, then one sheet per kind."""
    from openpyxl import Workbook

    # A normal (not write-only) workbook: it records each sheet's dimension and uses shared strings, as
    # Excel and WPS exports do, which readers rely on to stream large sheets quickly.
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "说明"
    for line in NOTES:
        notes.append([line])
    for title, headers, rows in (
        ("户信息", HOUSEHOLD_HEADERS, export.households),
        ("家庭成员", MEMBER_HEADERS, export.members),
        ("帮扶措施", MEASURE_HEADERS, export.measures),
        ("资金发放", PAYMENT_HEADERS, export.payments),
    ):
        sheet = book.create_sheet(title)
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)


def write_csv(export: Export, folder: Path, *, encoding: str = "utf-8-sig") -> None:
    """The export as one CSV file per kind (names a county system would give them)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, headers, rows in (
        ("户信息.csv", HOUSEHOLD_HEADERS, export.households),
        ("家庭成员.csv", MEMBER_HEADERS, export.members),
        ("帮扶措施.csv", MEASURE_HEADERS, export.measures),
        ("资金发放.csv", PAYMENT_HEADERS, export.payments),
    ):
        with (folder / name).open("w", encoding=encoding, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(headers)
            writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=36)
    parser.add_argument("--seed", type=int, default=20240630)
    parser.add_argument("--out", type=Path, default=HERE / "households.xlsx")
    parser.add_argument("--csv", type=Path, help="write one CSV per sheet into this folder instead")
    args = parser.parse_args()
    export = generate(args.households, seed=args.seed)
    if args.csv:
        write_csv(export, args.csv)
        print(f"wrote {args.households} fictional households as CSV into {args.csv}")
    else:
        write_xlsx(export, args.out)
        print(f"wrote {args.households} fictional households to {args.out}")


if __name__ == "__main__":
    main()
