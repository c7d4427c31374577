"""Household records, bindings and the audit log on real SQLite and real PostgreSQL."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text, update
from sqlalchemy.exc import DBAPIError

from core.errors import ImportRejected, InvalidInput, NotFound, RateLimited
from core.records import audit
from core.records.audit import CLI_ADMIN, Actor, AuditRecord
from core.records.db import Base, Database, temporary_schema
from core.records.households import (
    HouseholdBatch,
    HouseholdRecords,
    HouseholdRow,
    Jurisdiction,
    MeasureRow,
    MemberRow,
    PaymentRow,
)
from core.records.identity import BindingCode, Identity
from core.records.pii import PiiHasher, id_check_char
from core.settings import Settings

CHANNEL = "telegram"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    values = {"data_dir": tmp_path, "env": "development", "secret_key": "test-secret-key-0123456789abcdef"}
    if request.param == "sqlite":
        yield Settings(**values)  # type: ignore[arg-type]
        return
    with temporary_schema(request.getfixturevalue("pg_url")) as url:
        yield Settings(**values, database_url=url)  # type: ignore[arg-type]


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database.open(settings)
    yield database
    database.close()


@pytest.fixture
def records(db: Database, settings: Settings) -> HouseholdRecords:
    return HouseholdRecords(db, PiiHasher.from_settings(settings))


@pytest.fixture
def identity(db: Database, settings: Settings) -> Identity:
    return Identity(db, PiiHasher.from_settings(settings), settings)


def fake_id(n: int) -> str:
    first17 = f"99900119800101{n:03d}"
    return first17 + id_check_char(first17)


def household(no: str, township: str, village: str, phone: str, **kw: object) -> HouseholdRow:
    values: dict[str, object] = {
        "where": f"户信息 row {no}",
        "household_no": no,
        "township": township,
        "village": village,
        "group_name": "1组",
        "head_name": f"户主{no[-2:]}",
        "phone": phone,
        "household_type": "脱贫户",
        "monitoring_type": None,
        "risk_level": "orange",
        "size": 2,
        "helper_name": "周文斌",
        "helper_phone": "13900000001",
        "data_as_of": date(2024, 6, 30),
    }
    values.update(kw)
    return HouseholdRow(**values)  # type: ignore[arg-type]


def small_batch() -> HouseholdBatch:
    return HouseholdBatch(
        households=[
            household("H0001", "青禾镇", "柳湾村", "13800000001"),
            household(
                "H0002",
                "青禾镇",
                "青禾村",
                "13800000002",
                household_type="监测户",
                monitoring_type="边缘易致贫户",
            ),
            household("H0003", "白沙乡", "白沙村", "13800000003"),
        ],
        members=[
            MemberRow(
                "家庭成员 row 2", "H0001", "王大山", "户主", fake_id(1), 60, "弱劳动力", "健康", "不在读"
            ),
            MemberRow("家庭成员 row 3", "H0001", "李秀英", "配偶", fake_id(2), None, None, None, None),
            MemberRow(
                "家庭成员 row 4", "H0002", "张春生", "户主", fake_id(3), 45, "普通劳动力", "健康", "不在读"
            ),
            MemberRow(
                "家庭成员 row 5", "H0003", "刘玉梅", "户主", fake_id(4), 50, "普通劳动力", "健康", "不在读"
            ),
        ],
        measures=[
            MeasureRow("帮扶措施 row 2", "H0001", "industry-breeding-award", 2024, "养鸡200只", "已落实"),
            MeasureRow("帮扶措施 row 3", "H0001", "microcredit", 2023, "小额信贷3万元", "已落实"),
        ],
        payments=[
            PaymentRow(
                "资金发放 row 2", "H0001", "到户产业奖补", Decimal("2600.00"), date(2024, 5, 20), "一卡通"
            ),
            PaymentRow(
                "资金发放 row 3", "H0001", "公益岗位工资", Decimal("500.50"), date(2024, 6, 15), "一卡通"
            ),
        ],
        kinds={"households", "members", "measures", "payments"},
    )


RAW_VALUES = [fake_id(n) for n in range(1, 5)] + [f"1380000000{n}" for n in range(1, 4)]


def all_text_in_db(db: Database) -> str:
    """Every value of every table, as text (to prove what is not stored)."""
    parts = []
    with db.read_session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                parts.extend(str(v) for v in row)
    return "\n".join(parts)


def records_snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """The household tables' contents without row ids and timestamps, sorted."""
    tables = ("households", "household_members", "household_measures", "household_payments")
    out = {}
    with db.read_session() as session:
        for table in (Base.metadata.tables[t] for t in tables):
            columns = [c for c in table.columns if c.name not in ("id", "updated_at")]
            out[table.name] = sorted(tuple(map(str, row)) for row in session.execute(select(*columns)))
    return out


def audit_rows(db: Database) -> list[AuditRecord]:
    with db.read_session() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


HOUSEHOLD_ACTOR = Actor(role="household", who="chat:1", channel=CHANNEL)
CADRE_ACTOR = Actor(role="cadre", who="cadre:1/chat:9", channel=CHANNEL)


# -- schema -----------------------------------------------------------------------------------------------------
def test_migrations_create_exactly_the_models_schema_and_rerun_cleanly(
    db: Database, settings: Settings
) -> None:
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        tables = set(inspect(conn).get_table_names())
    assert {"households", "household_members", "audit_log", "chat_bindings", "binding_codes"} <= tables
    Database.open(settings).close()  # a second process starting: upgrade head is a no-op


def test_sqlite_runs_in_wal_mode_with_full_sync_and_foreign_keys(tmp_path: Path) -> None:
    db = Database.open(Settings(data_dir=tmp_path, secret_key="test-secret-key-0123456789abcdef"))
    try:
        assert db.dialect == "sqlite" and (tmp_path / "bangfu.db").exists()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        db.close()


def test_audit_log_refuses_update_and_delete(db: Database) -> None:
    with db.session() as session:
        audit.record(session, actor=CLI_ADMIN, action="test", household_nos=["H0001"])
    for statement in ("UPDATE audit_log SET action = 'forged'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), db.session() as session:
            session.execute(text(statement))
    assert [r.action for r in audit_rows(db)] == ["test"]


# -- import -----------------------------------------------------------------------------------------------------
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
    status = records.status(household_id=_id_of(db, "H0001"), actor=HOUSEHOLD_ACTOR)
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
    h1 = records.status(household_id=_id_of(db, "H0001"), actor=HOUSEHOLD_ACTOR)
    h3 = records.status(household_id=_id_of(db, "H0003"), actor=HOUSEHOLD_ACTOR)
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


# -- reads and audit --------------------------------------------------------------------------------------------
def _id_of(db: Database, household_no: str) -> int:
    from core.records.households import Household

    with db.read_session() as session:
        return session.scalar(select(Household.id).where(Household.household_no == household_no))  # type: ignore[return-value]


def test_status_and_payments_are_audited_with_no_personal_data(
    records: HouseholdRecords, db: Database
) -> None:
    records.import_batch(small_batch())
    h1 = _id_of(db, "H0001")
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


def test_audit_export_is_csv_of_the_requested_days(records: HouseholdRecords, db: Database) -> None:
    records.import_batch(small_batch())
    records.status(household_id=_id_of(db, "H0001"), actor=HOUSEHOLD_ACTOR)
    out = io.StringIO()
    assert audit.export_csv(db, since=date.today() - timedelta(days=1), out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(audit.CSV_COLUMNS)
    assert ",household,chat:1,telegram,H0001,status," in lines[1]
    future = io.StringIO()
    assert audit.export_csv(db, since=date.today() + timedelta(days=2), out=future) == 0


# -- binding ----------------------------------------------------------------------------------------------------
def test_binding_with_code_and_matching_phone_then_unbinding(
    records: HouseholdRecords, identity: Identity, db: Database
) -> None:
    records.import_batch(small_batch())
    issued = identity.issue_household_code(household_no="H0001", actor=CLI_ADMIN)
    assert len(issued.code) == 8 and issued.household_no == "H0001"
    bound = identity.bind(
        channel=CHANNEL, chat_user_id="42", code=issued.code.lower(), phone="+86 138 0000 0001"
    )
    assert bound.household_no == "H0001" and bound.kind == "household"
    assert identity.resolve(channel=CHANNEL, chat_user_id="42") == bound
    assert identity.resolve(channel="wechat", chat_user_id="42") is None  # bindings are per channel
    with db.read_session() as session:
        stored = session.scalar(select(BindingCode.code_hash))
    assert stored is not None and issued.code not in stored

    with pytest.raises(InvalidInput, match="expired or was already used"):
        identity.bind(channel=CHANNEL, chat_user_id="43", code=issued.code, phone="13800000001")

    assert identity.unbind(channel=CHANNEL, chat_user_id="42") is True
    assert identity.resolve(channel=CHANNEL, chat_user_id="42") is None
    assert identity.unbind(channel=CHANNEL, chat_user_id="42") is False
    assert [r.action for r in audit_rows(db)] == ["issue_code", "bind", "unbind"]


def test_a_cadre_issues_codes_only_in_their_jurisdiction(
    records: HouseholdRecords, identity: Identity
) -> None:
    records.import_batch(small_batch())
    village = Jurisdiction.of_village("青禾镇", "柳湾村")
    assert identity.issue_household_code(household_no="H0001", actor=CADRE_ACTOR, jurisdiction=village).code
    with pytest.raises(NotFound):
        identity.issue_household_code(household_no="H0003", actor=CADRE_ACTOR, jurisdiction=village)
    with pytest.raises(NotFound):
        identity.unbind_household(household_no="H0003", actor=CADRE_ACTOR, jurisdiction=village)


def test_wrong_phone_attempts_kill_the_code_after_five(records: HouseholdRecords, identity: Identity) -> None:
    records.import_batch(small_batch())
    code = identity.issue_household_code(household_no="H0001", actor=CLI_ADMIN).code
    for attacker in range(5):  # different chat users, so only the per-code limit applies
        with pytest.raises(InvalidInput, match="does not match"):
            identity.bind(channel=CHANNEL, chat_user_id=f"attacker{attacker}", code=code, phone="13800000009")
    with pytest.raises(InvalidInput, match="expired or was already used"):
        identity.bind(channel=CHANNEL, chat_user_id="owner", code=code, phone="13800000001")
    assert identity.resolve(channel=CHANNEL, chat_user_id="owner") is None


def test_a_chat_user_gets_five_failures_per_hour_across_replicas(
    records: HouseholdRecords, identity: Identity, db: Database, settings: Settings
) -> None:
    records.import_batch(small_batch())
    code = identity.issue_household_code(household_no="H0001", actor=CLI_ADMIN).code
    replica = Database.open(settings)  # a second API process on the same database
    try:
        other = Identity(replica, PiiHasher.from_settings(settings), settings)
        for i in range(5):
            target = identity if i % 2 else other
            with pytest.raises(InvalidInput):
                target.bind(
                    channel=CHANNEL, chat_user_id="guesser", code=f"ABCDEF{i:02d}", phone="13800000001"
                )
        with pytest.raises(RateLimited) as err:
            other.bind(channel=CHANNEL, chat_user_id="guesser", code=code, phone="13800000001")
        assert 0 < err.value.retry_after <= 3600
        # Another chat user is not affected, and the right code still works for them.
        assert identity.bind(
            channel=CHANNEL, chat_user_id="someone", code=code, phone="13800000001"
        ).household_no
    finally:
        replica.close()

    # An hour later the window has passed.
    with db.session() as session:
        session.execute(text("UPDATE binding_failures SET at = :at"), {"at": _an_hour_ago()})
    fresh = identity.issue_household_code(household_no="H0001", actor=CLI_ADMIN).code
    assert identity.bind(
        channel=CHANNEL, chat_user_id="guesser", code=fresh, phone="13800000001"
    ).household_no


def _an_hour_ago() -> object:
    from core.records.db import utcnow

    value = utcnow() - timedelta(hours=1, seconds=5)
    return value.replace(tzinfo=None)  # stored as UTC; naive literal for a raw UPDATE


def test_expired_codes_do_not_bind(records: HouseholdRecords, identity: Identity, db: Database) -> None:
    records.import_batch(small_batch())
    code = identity.issue_household_code(household_no="H0001", actor=CLI_ADMIN)
    from core.records.db import utcnow

    assert timedelta(hours=71) < code.expires_at - utcnow() <= timedelta(hours=72)
    with db.session() as session:
        session.execute(update(BindingCode).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(InvalidInput, match="expired"):
        identity.bind(channel=CHANNEL, chat_user_id="late", code=code.code, phone="13800000001")
    with db.read_session() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(BindingCode).where(BindingCode.used_at.is_not(None))
            )
            == 0
        )


def test_cadres_bind_with_admin_codes_and_their_own_phone(
    records: HouseholdRecords, identity: Identity
) -> None:
    village = Jurisdiction.of_village("青禾镇", "柳湾村")
    cadre = identity.create_cadre(name="周文斌", phone="13900000001", jurisdiction=village, actor=CLI_ADMIN)
    assert cadre.phone_masked == "139****0001"
    code = identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN).code
    with pytest.raises(InvalidInput):
        identity.bind(channel=CHANNEL, chat_user_id="9", code=code, phone="13800000001")
    bound = identity.bind(channel=CHANNEL, chat_user_id="9", code=code, phone="13900000001")
    assert bound.kind == "cadre" and bound.cadre is not None and bound.cadre.jurisdiction == village
    assert bound.actor().who == f"cadre:{cadre.id}/chat:9"

    assert identity.deactivate_cadre(cadre_id=cadre.id, actor=CLI_ADMIN) == 1
    assert identity.resolve(channel=CHANNEL, chat_user_id="9") is None
    with pytest.raises(NotFound):
        identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN)


def test_api_clients_are_stored_hashed_and_can_be_revoked(identity: Identity, db: Database) -> None:
    client, key = identity.create_client(name="portal", role="portal")
    assert identity.authenticate(key) == client
    assert identity.authenticate(key + "x") is None
    assert key not in all_text_in_db(db)
    with pytest.raises(InvalidInput):
        identity.create_client(name="portal", role="portal")
    with pytest.raises(InvalidInput):
        identity.create_client(name="other", role="superuser")
    identity.revoke_client(name="portal")
    assert identity.authenticate(key) is None


def test_the_configured_channel_key_is_a_channel_client(identity: Identity, settings: Settings) -> None:
    key = settings.dev_secret("channel_api_key")
    client = identity.authenticate(key)
    assert client is not None and client.role == "channel" and client.name == CHANNEL
