"""What a question asks for — an amount, a time, who qualifies, an age, how to apply, what to bring, whom to
contact, yes or no, whether a policy still applies — and which passages state that kind of fact.

The classes are read from the question's wording alone (interrogatives and the nouns that go with them), never
from a corpus, so they mean the same on any county's documents. A question may ask for more than one thing
(低保一个月给多少钱 找谁办: amount and contact); `classify` returns all of them, in the order above.

Example::

    classify("雨露计划一学期给多少")                 # ("amount",)
    states("amount", "每生每学期补助1500元。")     # True
"""

from __future__ import annotations

import re

AMOUNT = "amount"
TIME = "time"
WHO = "who"
AGE = "age"
HOW = "how"
MATERIALS = "materials"
CONTACT = "contact"
VALIDITY = "validity"
YES_NO = "yes_no"

_AGE_ASKED = r"多大岁数|多大年纪|几岁"  # an age, and so who qualifies

_ASKS: dict[str, re.Pattern[str]] = {
    AMOUNT: re.compile(
        r"多少钱|多少|几[万千百]|给多少|补多少|报多少|贴多少|标准|额度|上限|下限|最高|最多|最少|比例|金额|费用"
        r"|利息|利率|几成|几折|多大面积|几亩|几头|数量"
    ),
    TIME: re.compile(
        r"什么时候|啥时候|几时|多久|多长时间|多少天|几天|几个月|几年|哪天|期限|时限|时间|截止|日期|年限|期间"
        r"|啥时|多会儿|啥时间|几号|每年几月|多少年|何时|何日|哪一天|哪年|哪个月"
    ),
    WHO: re.compile(
        r"谁能|谁可以|哪些人|什么人|啥人|哪类|哪种人|什么条件|啥条件|条件|资格|对象|符合|够不够|算不算|能不能(享受|申请|办|领)"
        rf"|{_AGE_ASKED}|够格"
    ),
    AGE: re.compile(rf"{_AGE_ASKED}|多少岁|多大的(?:娃|孩子|儿童|小孩|老人)|年龄|年纪|多大能|多大可以"),
    HOW: re.compile(
        r"怎么申请|咋申请|如何申请|怎么办|咋办|怎么弄|咋弄|咋整|怎么报|咋报|如何|流程|程序|手续|步骤|去哪|在哪|哪里办"
        r"|上哪|到哪|报名|申请|办理|怎样|怎么"
    ),
    MATERIALS: re.compile(
        r"材料|证件|证明|要啥|需要什么|要什么"
        r"|(?:带|交|拿|递|准备|提供|提交)(?:些|点|上)?(?:啥|什么|哪些)(?!条件|人|时候)"
    ),
    CONTACT: re.compile(r"找谁|找哪|电话|联系|哪个部门|哪个单位|谁管|谁负责|问谁|打哪|热线"),
    VALIDITY: re.compile(r"有效|失效|废止|施行|过期|作废|还管|还算|还执行|还有没有|还有吗|还能用|还适用"),
    YES_NO: re.compile(
        r"吗|么$|不$|没$|中不|行不|能不能|可不可以|是不是|会不会|要不要|给不给|管不管|有没有|算不算"
    ),
}

# A figure of a kind: a number with its unit (what a villager asking 多少 or 几天 wants to read).
_AMOUNT_FIGURE = r"\d+(?:\.\d+)?\s*(?:元|万元|千元|百元|%|％|倍|个百分点|亩|平方米)"
_TIME_FIGURE = (
    r"\d+\s*个?(?:工作日|日|天|周|个月|月|年|小时)|[一二三四五六七八九十]+个?(?:工作日|日|天|个月|年)"
)
# An age (0—6岁, 年满60周岁, 未满16周岁, 十六周岁): the only way a passage states one.
_AGE_FIGURE = re.compile(r"\d+\s*周?岁|[一二三四五六七八九十]+周?岁")
_FIGURES: dict[str, re.Pattern[str]] = {
    AMOUNT: re.compile(_AMOUNT_FIGURE),
    TIME: re.compile(_TIME_FIGURE),
    AGE: _AGE_FIGURE,
}

# What a passage says when it states that kind of fact (a verbatim sentence of a policy).
_STATES: dict[str, re.Pattern[str]] = {
    AMOUNT: re.compile(_AMOUNT_FIGURE + r"|标准|比例|限额|全额|减半|免除|免收|免费"),
    TIME: re.compile(
        _TIME_FIGURE + r"|之日起|之前|以前|以内|截止|届满|期满|每年|每半年|每月|每季度?|每周|按月|按季|按年"
    ),
    WHO: re.compile(r"对象|条件|符合|具备|属于|范围|适用于|纳入|认定为|人员|家庭|农户"),
    AGE: _AGE_FIGURE,
    HOW: re.compile(
        r"申请|提出|办理|程序|审核|审批|受理|申报|登记|报送|到.{0,12}(?:办理|申请)|向.{0,16}(?:提出|申请|申报)"
    ),
    MATERIALS: re.compile(r"材料|提供|提交|证明|复印件|身份证|户口|证书|申请表|报告|发票|清单"),
    # whom to turn to: a number, an office that handles it, or the one an application goes to (向村民委员会申请)
    CONTACT: re.compile(
        r"电话|\d{3,4}-\d{7,8}|\d{5,}|联系|负责(?!人|同志|的主管)|受理|窗口|服务中心|热线|投诉|举报|仲裁"
        r"|向.{0,16}(?:提出|申请|申报|反映)"
    ),
    VALIDITY: re.compile(r"(?:自|从).{0,16}(?:起施行|起执行|施行)|同时废止|有效期|废止|失效"),
    YES_NO: re.compile(r"不得|可以|应当|禁止|不予|予以|不需要|无需|不收|免|不能|须|必须"),
}

_ORDER = (AMOUNT, TIME, WHO, AGE, HOW, MATERIALS, CONTACT, VALIDITY, YES_NO)


def classify(question: str) -> tuple[str, ...]:
    """The kinds of fact `question` (normalised) asks for; empty when it names a topic only."""
    found = [kind for kind in _ORDER if _ASKS[kind].search(question)]
    if (
        MATERIALS in found
        and HOW in found
        and not re.search(r"怎么申请|咋申请|如何申请|流程|程序|步骤", question)
    ):
        found.remove(HOW)  # 申请要带什么材料 asks for the materials, not the procedure
    if CONTACT in found and HOW in found and not re.search(r"怎么|咋|如何|流程|程序", question):
        found.remove(HOW)  # 找谁申请 asks whom to contact
    return tuple(found)


def states(kind: str, passage: str) -> bool:
    """Whether `passage` states a fact of `kind`."""
    pattern = _STATES.get(kind)
    return bool(pattern and pattern.search(passage))


def states_figure(kind: str, passage: str) -> bool:
    """Whether `passage` states a figure of `kind` (an amount, a time or an age, with its unit)."""
    pattern = _FIGURES.get(kind)
    return bool(pattern and pattern.search(passage))


def states_fact(kind: str, passage: str) -> bool:
    """Whether `passage` states the fact asked: a figure for a kind that has one (an amount, a time, an age),
    else the wording that states the kind (who, what to bring, whom to contact …)."""
    return states_figure(kind, passage) if kind in _FIGURES else states(kind, passage)
