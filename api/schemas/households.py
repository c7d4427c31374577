"""A household's record as the API shows it (to the household itself and to cadres), pages and searches of
households, binding codes.

ID-card and phone numbers of household members appear only masked (`110***********1234`, `138****1234`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal, cast

from pydantic import BaseModel, Field

from api.schemas.common import SingleLine
from core.records import households as h
from core.records.identity import IssuedCode
from core.records.texts import RISK_LABELS

RiskLevel = Literal["red", "orange", "blue"]


class HouseholdOut(BaseModel):
    household_no: str = Field(description="户编号")
    township: str = Field(description="乡镇")
    village: str = Field(description="行政村")
    group_name: str | None = Field(None, description="组")
    head_name: str = Field(description="户主姓名")
    phone_masked: str | None = Field(None, description="联系电话, masked")
    household_type: str = Field(description="户类型: 脱贫户, 监测户, 一般农户")
    monitoring_type: str | None = Field(None, description="监测对象类型")
    risk_level: RiskLevel | None = Field(None, description="风险等级: red, orange, blue")
    risk_label: str | None = Field(None, description="风险等级 in Chinese, e.g. 橙色（二级风险）")
    size: int = Field(description="家庭人口")
    data_as_of: date = Field(description="数据截止日期")

    @classmethod
    def of(cls, s: h.HouseholdSummary) -> HouseholdOut:
        return cls(
            household_no=s.household_no,
            township=s.township,
            village=s.village,
            group_name=s.group_name,
            head_name=s.head_name,
            phone_masked=s.phone_masked,
            household_type=s.household_type,
            monitoring_type=s.monitoring_type,
            risk_level=cast(RiskLevel | None, s.risk_level),
            risk_label=RISK_LABELS.get(s.risk_level) if s.risk_level else None,
            size=s.size,
            data_as_of=s.data_as_of,
        )


class MemberOut(BaseModel):
    name: str
    relation: str = Field(description="与户主关系")
    id_masked: str = Field(description="证件号码, masked: 110***********1234")
    age: int | None = None
    labor_capacity: str | None = Field(None, description="劳动技能")
    health: str | None = Field(None, description="健康状况")
    schooling: str | None = Field(None, description="在校生状况")


class MeasureOut(BaseModel):
    measure_id: str = Field(description="id in the measure catalog (GET /v1/measures/{id})")
    name: str | None = Field(None, description="the measure's name in the catalog, when loaded")
    content: str = Field(description="帮扶内容")
    status: str = Field(description="落实情况")


class MeasureYearOut(BaseModel):
    year: int
    measures: list[MeasureOut]


class PaymentOut(BaseModel):
    item: str = Field(description="发放项目")
    amount: Decimal = Field(description="金额 in yuan, two decimals")
    paid_on: date = Field(description="发放日期")
    channel: str = Field(description="发放渠道, e.g. 一卡通")
    measure_id: str | None = None

    @classmethod
    def of(cls, p: h.PaymentView) -> PaymentOut:
        return cls(
            item=p.item, amount=p.amount, paid_on=p.paid_on, channel=p.channel, measure_id=p.measure_id
        )


class HelperOut(BaseModel):
    name: str | None = Field(None, description="帮扶责任人")
    phone: str | None = Field(None, description="the 帮扶责任人's work phone, as on the household's 明白卡")


class HouseholdStatusOut(BaseModel):
    household: HouseholdOut
    helper: HelperOut
    members: list[MemberOut]
    measures_by_year: list[MeasureYearOut] = Field(description="measures received, newest year first")
    payments: list[PaymentOut] = Field(description="payments, newest first")
    summary: str = Field(description="a short plain-Chinese summary, ready for a chat reply")

    @classmethod
    def of(cls, s: h.HouseholdStatus) -> HouseholdStatusOut:
        years: dict[int, list[MeasureOut]] = {}
        for m in s.measures:
            years.setdefault(m.year, []).append(
                MeasureOut(measure_id=m.measure_id, name=m.name, content=m.content, status=m.status)
            )
        return cls(
            household=HouseholdOut.of(s.household),
            helper=HelperOut(name=s.helper_name, phone=s.helper_phone),
            members=[MemberOut(**m.__dict__) for m in s.members],
            measures_by_year=[
                MeasureYearOut(year=y, measures=ms) for y, ms in sorted(years.items(), reverse=True)
            ],
            payments=[PaymentOut.of(p) for p in s.payments],
            summary=s.summary,
        )


class PaymentsOut(BaseModel):
    item: str | None = Field(None, description="the item asked about, as given")
    payments: list[PaymentOut]
    total: Decimal
    data_as_of: date
    summary: str = Field(description="a plain-Chinese answer to 'did it arrive', ready for a chat reply")

    @classmethod
    def of(cls, a: h.PaymentsAnswer) -> PaymentsOut:
        return cls(
            item=a.item,
            payments=[PaymentOut.of(p) for p in a.payments],
            total=a.total,
            data_as_of=a.data_as_of,
            summary=a.summary,
        )


class HouseholdPageOut(BaseModel):
    items: list[HouseholdOut]
    total: int
    page: int
    page_size: int


class SearchIn(BaseModel):
    query: SingleLine = Field(
        min_length=2,
        max_length=32,
        description="户编号 (or its start), a member's name, or the last 4 of an ID",
    )
    limit: int = Field(20, ge=1, le=100)


class HouseholdSearchOut(BaseModel):
    items: list[HouseholdOut]


class CodeOut(BaseModel):
    code: str = Field(description="single-use binding code; give it to the person, it is not shown again")
    expires_at: datetime
    household_no: str | None = None
    cadre_id: int | None = None

    @classmethod
    def of(cls, c: IssuedCode) -> CodeOut:
        return cls(code=c.code, expires_at=c.expires_at, household_no=c.household_no, cadre_id=c.cadre_id)


class UnbindOut(BaseModel):
    unbound: int = Field(description="how many chat accounts were unbound")
