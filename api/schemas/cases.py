"""Hardship reports and cases (防返贫 自主申报): what reporters send and see, what cadres list, read and do, and the
notifications a channel delivers. Every status and action is documented on its enum (the OpenAPI page).

A reporter never sees who acted (only the step, its time and note) and never a phone number; cadres see the
reporter's phone only masked (`138****1234`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StrictBool, WithJsonSchema

from api.schemas.answers import MeasureRef
from api.schemas.common import SingleLine, Text
from core.cases.texts import AMOUNT_LABELS, STATUS_LABELS
from core.cases.workflow import ACTION_DESCRIPTIONS, STATUS_DESCRIPTIONS, Action, Status
from core.records.cases import AttachmentView, CaseView, NotificationView, StepView
from core.records.texts import RISK_LABELS


def _documented(kind: str, members: dict[Any, str]) -> WithJsonSchema:
    """An enum's schema that lists what every value means (in the description and `x-enum-descriptions`)."""
    return WithJsonSchema(
        {
            "type": "string",
            "enum": [m.value for m in members],
            "description": kind + "\n" + "\n".join(f"- `{m.value}`: {d}" for m, d in members.items()),
            "x-enum-descriptions": {m.value: d for m, d in members.items()},
        }
    )


CaseStatus = Annotated[Status, _documented("Where a case is:", STATUS_DESCRIPTIONS)]
CaseAction = Annotated[Action, _documented("What a cadre does to a case:", ACTION_DESCRIPTIONS)]
Category = Literal["因病", "因灾", "因意外", "因学", "失业", "产业失败", "其他"]
AmountRange = Literal["under_5k", "5k_20k", "20k_50k", "over_50k", "unknown"]
MonitoringType = Literal["脱贫不稳定户", "边缘易致贫户", "突发严重困难户"]
RiskLevel = Literal["red", "orange", "blue"]
CASE_ID_DOC = "the case number, e.g. FY241208-0042"


class ReportIn(BaseModel):
    category: Category = Field(
        description="what happened: 因病, 因灾, 因意外, 因学, 失业 (或务工受阻), 产业失败, 其他"
    )
    description: Text = Field(
        min_length=1, max_length=1000, description="what happened, in the reporter's words"
    )
    amount_range: AmountRange = Field(
        "unknown",
        description="rough money spent or lost: " + ", ".join(f"{k} {v}" for k, v in AMOUNT_LABELS.items()),
    )
    urgent: StrictBool = Field(False, description="the family cannot get by for now (急难)")
    on_behalf: StrictBool = Field(
        False,
        description="代报: reported for another household (a neighbour); `village` then names its village",
    )
    township: SingleLine | None = Field(
        None, max_length=50, description="乡镇, when the village's name is not unique"
    )
    village: SingleLine | None = Field(
        None,
        max_length=50,
        description="行政村 from GET /v1/villages; required unless a bound household reports for itself",
    )
    phone: str | None = Field(
        None, min_length=11, max_length=20, description="an unbound reporter's phone, verified by the channel"
    )
    phone_verified: StrictBool = Field(
        False, description="JSON true only when the channel verified `phone` belongs to this chat user"
    )


class StepOut(BaseModel):
    action: str = Field(
        description="report, merge, verify, review, decide, reject, return, resubmit, withdraw …"
    )
    status: CaseStatus = Field(description="the status the step left the case in")
    at: datetime
    note: str | None = None
    due: date | None = Field(None, description="the deadline of the step that followed")

    @classmethod
    def of(cls, s: StepView) -> StepOut:
        return cls(action=s.action, status=s.status, at=s.at, note=s.note, due=s.due)


class CadreStepOut(StepOut):
    actor_role: str = Field(description="household, cadre or admin")
    actor: str = Field(description="e.g. cadre:7/chat:42 or chat:42")
    detail: dict[str, Any] | None = None

    @classmethod
    def of(cls, s: StepView) -> CadreStepOut:
        return cls(
            action=s.action,
            status=s.status,
            at=s.at,
            note=s.note,
            due=s.due,
            actor_role=s.actor_role,
            actor=s.actor,
            detail=s.detail,
        )


class AttachmentOut(BaseModel):
    id: int
    content_type: str = Field(description="image/jpeg, image/png, image/webp or audio/ogg (a voice note)")
    size: int
    created_at: datetime

    @classmethod
    def of(cls, a: AttachmentView) -> AttachmentOut:
        return cls(id=a.id, content_type=a.content_type, size=a.size, created_at=a.created_at)


class _CaseBase(BaseModel):
    case_id: str = Field(description=CASE_ID_DOC)
    status: CaseStatus
    status_label: str = Field(description="the status in plain Chinese")
    due: date | None = Field(None, description="deadline (in working days) of the step the case waits on")
    overdue: bool
    waits_on: Literal["village", "township", "county", "household"] | None = Field(
        None, description="the level whose step is next (household: more material is asked for)"
    )
    township: str
    village: str
    category: str
    urgent: bool
    on_behalf: bool = Field(description="代报: reported for another household")
    household_no: str | None = Field(None, description="户编号 once the case is linked to a record")
    created_at: datetime

    @staticmethod
    def common(v: CaseView) -> dict[str, Any]:
        return {
            "case_id": v.case_no,
            "status": v.status,
            "status_label": STATUS_LABELS[v.status],
            "due": v.due,
            "overdue": v.overdue,
            "waits_on": v.waits_on,
            "township": v.township,
            "village": v.village,
            "category": v.category,
            "urgent": v.urgent,
            "on_behalf": v.on_behalf,
            "household_no": v.household_no,
            "created_at": v.created_at,
        }


class _Decision(BaseModel):
    monitoring_type: str | None = Field(
        None, description="纳入监测: 脱贫不稳定户, 边缘易致贫户 or 突发严重困难户"
    )
    risk_level: RiskLevel | None = Field(None, description="风险等级: red, orange, blue")
    risk_label: str | None = None
    measures: list[MeasureRef] = Field(
        default_factory=list,
        description="纳入监测: the measures the screener finds for the new monitoring type",
    )

    @staticmethod
    def decision(v: CaseView) -> dict[str, Any]:
        return {
            "monitoring_type": v.monitoring_type,
            "risk_level": v.risk_level,
            "risk_label": RISK_LABELS.get(v.risk_level) if v.risk_level else None,
            "measures": [MeasureRef(id=m["id"], name=m["name"]) for m in v.measures],
        }


class ReportOut(_CaseBase, _Decision):
    amount_range: str
    merged: bool = Field(
        False, description="true: merged into the open case of the same household and category"
    )
    history: list[StepOut]

    @classmethod
    def of(cls, v: CaseView, *, merged: bool = False) -> ReportOut:
        return cls(
            **cls.common(v),
            **cls.decision(v),
            amount_range=v.amount_range,
            merged=merged,
            history=[StepOut.of(s) for s in v.history],
        )


class ReportsOut(BaseModel):
    reports: list[ReportOut]


class CaseOut(_CaseBase):
    @classmethod
    def of(cls, v: CaseView) -> CaseOut:
        return cls(**cls.common(v))


class CaseListOut(BaseModel):
    cases: list[CaseOut]


class CaseDetailOut(_CaseBase, _Decision):
    description: str
    amount_range: str
    reporter_phone_masked: str | None = Field(None, description="an unbound reporter's phone, masked")
    history: list[CadreStepOut]
    attachments: list[AttachmentOut]

    @classmethod
    def of(cls, v: CaseView) -> CaseDetailOut:
        return cls(
            **cls.common(v),
            **cls.decision(v),
            description=v.description,
            amount_range=v.amount_range,
            reporter_phone_masked=v.reporter_phone_masked,
            history=[CadreStepOut.of(s) for s in v.history],
            attachments=[AttachmentOut.of(a) for a in v.attachments],
        )


class ActionIn(BaseModel):
    action: CaseAction
    note: Text | None = Field(
        None, max_length=500, description="required for reject (the reason), return, note"
    )
    monitoring_type: MonitoringType | None = Field(None, description="decide: the monitoring type")
    risk_level: RiskLevel | None = Field(None, description="decide: the risk colour")
    household_no: str | None = Field(
        None, pattern=r"^[0-9A-Za-z-]{4,32}$", description="link: the 户编号 of the case's household"
    )


class NoteIn(BaseModel):
    note: Text | None = Field(None, max_length=500, description="what is added, or why")


class MoreIn(BaseModel):
    note: Text = Field(min_length=1, max_length=500, description="the material asked for, or where it is")


class PlaceOut(BaseModel):
    township: str
    village: str


class VillagesOut(BaseModel):
    villages: list[PlaceOut]


class NotificationOut(BaseModel):
    id: int
    chat_user_id: str
    kind: Literal["case_step", "case_queue", "digest"] = Field(
        description="case_step: a step of the reporter's case; case_queue: a case now waits on the cadre; "
        "digest: the cadre's morning digest"
    )
    case_id: str | None = None
    payload: dict[str, Any] = Field(description="what to tell, as data (statuses, dates, notes, measures)")

    @classmethod
    def of(cls, n: NotificationView) -> NotificationOut:
        return cls(id=n.id, chat_user_id=n.chat_user_id, kind=n.kind, case_id=n.case_no, payload=n.payload)


class ClaimIn(BaseModel):
    limit: int = Field(50, ge=1, le=100)


class ClaimOut(BaseModel):
    notifications: list[NotificationOut]


class AckIn(BaseModel):
    ids: list[Annotated[int, Field(ge=1, le=2**62)]] = Field(max_length=100)


class AckOut(BaseModel):
    acknowledged: int


class DigestOut(BaseModel):
    enqueued: int = Field(description="digests enqueued now (a cadre gets one a day)")
