"""Household records on real SQLite and real PostgreSQL: the import, reads, jurisdictions and their audit."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from core.errors import ImportRejected, InvalidInput, NotFound
from core.records.db import Database
from core.records.households import (
    HouseholdBatch,
    HouseholdRecords,
    Jurisdiction,
    MemberRow,
    PaymentRow,
)
from tests.helpers.records import (
    CADRE_ACTOR,
    CHANNEL,
    HOUSEHOLD_ACTOR,
    RAW_VALUES,
    all_text_in_db,
    audit_rows,
    fake_id,
    id_of,
    records_snapshot,
    small_batch,
)


def test_import_stores_hashes_and_masks_never_the_raw_numbers(
    records: HouseholdRecords, db: Database
) -> None:
    result = records.import_batch(small_batch())
    assert (result.created, result.updated, result.members, result.payments) == (3, 0, 4, 2)
    dump = all_text_in_db(db)
    for raw in RAW_VALUES:
        assert raw not in dump
    assert "138****0001" in dump and "999***********" in dump


def test_import_is_an_idempotent_upsert_that_replaces_children(
    records: HouseholdRecords, db: Database
) -> None:
    records.import_batch(small_batch())
    before = records_snapshot(db)
    again = records.import_batch(small_batch())
    assert (again.created, again.updated) == (0, 3)
    assert records.count() == 3
    assert records_snapshot(db) == before

    corrected = small_batch()
    corrected.households[0] = replace(corrected.households[0], risk_level="red")
    corrected.payments = corrected.payments[:1]
    records.import_batch(corrected)
    status = records.status(household_id=id_of(db, "H0001"), actor=HOUSEHOLD_ACTOR)
    assert status.household.risk_level == "red"
    assert [p.item for p in status.payments] == ["到户产业奖补"]


def test_a_sheet_alone_replaces_only_its_own_kind(records: HouseholdRecords, db: Database) -> None:
    records.import_batch(small_batch())
    only_payments = HouseholdBatch(
        payments=[
            PaymentRow("p.csv row 2", "H0003", "鸡苗补助", Decimal("400"), date(2024, 3, 12), "一卡通")
        ],
        kinds={"payments"},
    )
    records.import_batch(only_payments)
    h1 = records.status(household_id=id_of(db, "H0001"), actor=HOUSEHOLD_ACTOR)
    h3 = records.status(household_id=id_of(db, "H0003"), actor=HOUSEHOLD_ACTOR)
    assert len(h1.payments) == 2 and len(h1.members) == 2  # untouched
    assert [p.item for p in h3.payments] == ["鸡苗补助"]


def test_rows_for_unknown_households_reject_the_whole_import(records: HouseholdRecords, db: Database) -> None:
    batch = small_batch()
    batch.members.append(
        MemberRow("家庭成员 row 9", "H9999", "无名", "户主", fake_id(9), 30, None, None, None)
    )
    with pytest.raises(ImportRejected) as err:
        records.import_batch(batch)
    assert err.value.problems == [
        "家庭成员 row 9: 户编号 is neither in the households sheet nor already stored"
    ]
    assert records.count() == 0


def test_duplicate_household_numbers_are_rejected(records: HouseholdRecords) -> None:
    batch = small_batch()
    batch.households.append(replace(batch.households[0], where="户信息 row 9"))
    with pytest.raises(ImportRejected) as err:
        records.import_batch(batch)
    assert "户信息 row 9" in err.value.problems[0] and "户编号" in err.value.problems[0]
    assert records.count() == 0


def test_status_and_payments_are_audited_with_no_personal_data(
    records: HouseholdRecords, db: Database
) -> None:
    records.import_batch(small_batch())
    h1 = id_of(db, "H0001")
    status = records.status(household_id=h1, actor=HOUSEHOLD_ACTOR)
    assert status.household.phone_masked == "138****0001"
    assert [m.id_masked for m in status.members] == [
        "999***********" + fake_id(1)[-4:],
        "999***********" + fake_id(2)[-4:],
    ]
    assert status.members[1].age is not None  # derived from the ID number
    assert [(m.year, m.measure_id) for m in status.measures] == [
        (2024, "industry-breeding-award"),
        (2023, "microcredit"),
    ]
    assert "脱贫户" in status.summary and "周文斌" in status.summary and "2024年6月30日" in status.summary

    answer = records.payments(household_id=h1, actor=HOUSEHOLD_ACTOR, item="产业补贴")
    assert [p.item for p in answer.payments] == ["到户产业奖补"]
    assert answer.total == Decimal("2600.00") and "2600元" in answer.summary
    none = records.payments(household_id=h1, actor=HOUSEHOLD_ACTOR, item="教育补助")
    assert none.payments == [] and "没有查到" in none.summary
    everything = records.payments(household_id=h1, actor=HOUSEHOLD_ACTOR)
    assert everything.total == Decimal("3100.50")

    rows = audit_rows(db)
    assert [(r.action, r.household_no, r.role, r.actor, r.channel) for r in rows] == [
        ("status", "H0001", "household", "chat:1", CHANNEL),
        ("payments", "H0001", "household", "chat:1", CHANNEL),
        ("payments", "H0001", "household", "chat:1", CHANNEL),
        ("payments", "H0001", "household", "chat:1", CHANNEL),
    ]
    dump = all_text_in_db(db)
    for raw in RAW_VALUES:
        assert raw not in dump


def test_a_failed_read_writes_no_audit_record(records: HouseholdRecords, db: Database) -> None:
    with pytest.raises(NotFound):
        records.status(household_id=12345, actor=HOUSEHOLD_ACTOR)
    assert audit_rows(db) == []


def test_cadres_see_only_their_jurisdiction(records: HouseholdRecords, db: Database) -> None:
    records.import_batch(small_batch())
    village = Jurisdiction.of_village("青禾镇", "柳湾村")
    page = records.list_households(jurisdiction=village, actor=CADRE_ACTOR)
    assert [h.household_no for h in page.items] == ["H0001"] and page.total == 1
    town = records.list_households(jurisdiction=Jurisdiction.of_township("青禾镇"), actor=CADRE_ACTOR)
    assert [h.household_no for h in town.items] == ["H0001", "H0002"]
    county = records.list_households(
        jurisdiction=Jurisdiction.county(), actor=CADRE_ACTOR, risk_level="orange"
    )
    assert county.total == 3

    with pytest.raises(NotFound):
        records.view(household_no="H0003", jurisdiction=village, actor=CADRE_ACTOR)
    assert (
        records.view(household_no="H0001", jurisdiction=village, actor=CADRE_ACTOR).household.village
        == "柳湾村"
    )

    assert [
        h.household_no for h in records.search(jurisdiction=village, actor=CADRE_ACTOR, query="李秀英")
    ] == ["H0001"]
    assert records.search(jurisdiction=village, actor=CADRE_ACTOR, query="刘玉梅") == []  # 白沙村
    last4 = fake_id(4)[-4:]
    assert records.search(jurisdiction=village, actor=CADRE_ACTOR, query=last4) == []
    assert [
        h.household_no
        for h in records.search(jurisdiction=Jurisdiction.county(), actor=CADRE_ACTOR, query=last4)
    ] == ["H0003"]
    assert [
        h.household_no for h in records.search(jurisdiction=town_j(), actor=CADRE_ACTOR, query="H000")
    ] == [
        "H0001",
        "H0002",
    ]

    actions = [(r.action, r.household_no) for r in audit_rows(db)]
    assert ("list", "H0001") in actions and ("view", "H0001") in actions
    assert ("view", "H0003") not in actions  # refused: not read, not recorded
    searches = [r for r in audit_rows(db) if r.action == "search"]
    assert all("李秀英" not in (r.detail or "") for r in searches)
    assert any(r.household_no is None and r.detail == "by=name results=0" for r in searches)


def town_j() -> Jurisdiction:
    return Jurisdiction.of_township("青禾镇")


def test_jurisdictions_must_be_complete() -> None:
    with pytest.raises(InvalidInput):
        Jurisdiction("village", "青禾镇", None)
    with pytest.raises(InvalidInput):
        Jurisdiction("province")
