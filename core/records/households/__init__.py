"""Household records: households, members, measures received and payments; reads that are audited.

A county export is parsed by `ingest.households` into a `HouseholdBatch` of validated rows and written here in
one transaction (upsert by 户编号). Reads go through `HouseholdRecords`, which writes an audit record in the
same transaction as every read of household data::

    records = HouseholdRecords(db, hasher)
    records.import_batch(batch)                                     # ImportRejected → nothing written
    status = records.status(household_id=7, actor=actor)            # the household itself
    page = records.list_households(jurisdiction=Jurisdiction.of_village("青禾镇", "柳湾村"), actor=actor)
    facts = records.eligibility_facts(household_id=7, actor=actor, member=2)  # for screening: no names, no IDs

| module | holds |
|---|---|
| `values` | the vocabularies (户类型, 风险等级 …) and the `parse_*` functions that map export spellings to them |
| `tables` | the ORM tables |
| `imports` | validated import rows, the batch of one file, duplicate checks and the upsert |
| `jurisdiction` | which households a cadre may see |
| `views` | what reads return, including `HouseholdFacts` for eligibility screening |
| `summaries` | the plain-Chinese replies, from the templates in `core.records.texts` |
| `service` | `HouseholdRecords` |

The names below are the package's public surface; importers use `core.records.households` and not the modules.
"""

from core.records.households.imports import (
    HouseholdBatch,
    HouseholdRow,
    ImportResult,
    MeasureRow,
    MemberRow,
    PaymentRow,
    duplicate_problems,
)
from core.records.households.jurisdiction import JURISDICTION_LEVELS, Jurisdiction
from core.records.households.service import MAX_PAGE_SIZE, HouseholdRecords, payment_matches
from core.records.households.summaries import format_date, format_yuan, payments_summary, status_summary
from core.records.households.tables import Household, MeasureReceived, Member, Payment
from core.records.households.values import (
    HOUSEHOLD_TYPES,
    LABOR_CAPACITIES,
    MEASURE_ID,
    MONITORING_TYPES,
    RISK_LEVELS,
    SCHOOLING_STAGES,
    parse_amount,
    parse_household_type,
    parse_labor_capacity,
    parse_measure_id,
    parse_monitoring_type,
    parse_risk_level,
    parse_schooling,
)
from core.records.households.views import (
    HouseholdFacts,
    HouseholdPage,
    HouseholdStatus,
    HouseholdSummary,
    MeasureView,
    MemberFacts,
    MemberView,
    PaymentsAnswer,
    PaymentView,
)

__all__ = [
    "HOUSEHOLD_TYPES",
    "JURISDICTION_LEVELS",
    "LABOR_CAPACITIES",
    "MAX_PAGE_SIZE",
    "MEASURE_ID",
    "MONITORING_TYPES",
    "RISK_LEVELS",
    "SCHOOLING_STAGES",
    "Household",
    "HouseholdBatch",
    "HouseholdFacts",
    "HouseholdPage",
    "HouseholdRecords",
    "HouseholdRow",
    "HouseholdStatus",
    "HouseholdSummary",
    "ImportResult",
    "Jurisdiction",
    "MeasureReceived",
    "MeasureRow",
    "MeasureView",
    "Member",
    "MemberFacts",
    "MemberRow",
    "MemberView",
    "Payment",
    "PaymentRow",
    "PaymentView",
    "PaymentsAnswer",
    "duplicate_problems",
    "format_date",
    "format_yuan",
    "parse_amount",
    "parse_household_type",
    "parse_labor_capacity",
    "parse_measure_id",
    "parse_monitoring_type",
    "parse_risk_level",
    "parse_schooling",
    "payment_matches",
    "payments_summary",
    "status_summary",
]
