"""Request and response models, one module per area: they are the OpenAPI contract portal developers read.

common (errors, health), documents, measures, answers, eligibility, households, me, cases (hardship reports,
cases, notifications), admin, openai. Every model
is also importable from `api.schemas` by its name.
"""

from __future__ import annotations

from api.schemas.admin import CadreIn, CadreList, CadreOut, ClientIn, ClientOut, JurisdictionOut
from api.schemas.answers import AskIn, AskOut, CitationOut, MeasureRef, SearchHit, SearchOut
from api.schemas.cases import (
    ActionIn,
    AttachmentOut,
    CaseDetailOut,
    CaseListOut,
    CaseOut,
    ClaimOut,
    NotificationOut,
    ReportIn,
    ReportOut,
    ReportsOut,
)
from api.schemas.common import ErrorOut, Health, Readiness
from api.schemas.documents import DocumentDetail, DocumentList, DocumentSummary
from api.schemas.eligibility import EligibilityIn, EligibilityOut, NextQuestionOut, OptionOut, ResultOut
from api.schemas.households import (
    CodeOut,
    HelperOut,
    HouseholdOut,
    HouseholdPageOut,
    HouseholdSearchOut,
    HouseholdStatusOut,
    MeasureOut,
    MeasureYearOut,
    MemberOut,
    PaymentOut,
    PaymentsOut,
    SearchIn,
    UnbindOut,
)
from api.schemas.me import BindIn, MeEligibilityIn, MeEligibilityOut, MeOut
from api.schemas.measures import BasisOut, MeasureDetail, MeasureList, MeasureSummary
from api.schemas.openai import (
    ChatCompletionChunkOut,
    ChatCompletionIn,
    ChatCompletionOut,
    ModelListOut,
    ModelOut,
)

__all__ = [
    "ActionIn",
    "AskIn",
    "AskOut",
    "AttachmentOut",
    "BasisOut",
    "BindIn",
    "CadreIn",
    "CadreList",
    "CadreOut",
    "CaseDetailOut",
    "CaseListOut",
    "CaseOut",
    "ChatCompletionChunkOut",
    "ChatCompletionIn",
    "ChatCompletionOut",
    "CitationOut",
    "ClaimOut",
    "ClientIn",
    "ClientOut",
    "CodeOut",
    "DocumentDetail",
    "DocumentList",
    "DocumentSummary",
    "EligibilityIn",
    "EligibilityOut",
    "ErrorOut",
    "Health",
    "HelperOut",
    "HouseholdOut",
    "HouseholdPageOut",
    "HouseholdSearchOut",
    "HouseholdStatusOut",
    "JurisdictionOut",
    "MeEligibilityIn",
    "MeEligibilityOut",
    "MeOut",
    "MeasureDetail",
    "MeasureList",
    "MeasureOut",
    "MeasureRef",
    "MeasureSummary",
    "MeasureYearOut",
    "MemberOut",
    "ModelListOut",
    "ModelOut",
    "NextQuestionOut",
    "NotificationOut",
    "OptionOut",
    "PaymentOut",
    "PaymentsOut",
    "Readiness",
    "ReportIn",
    "ReportOut",
    "ReportsOut",
    "ResultOut",
    "SearchHit",
    "SearchIn",
    "SearchOut",
    "UnbindOut",
]
