"""Identity on real SQLite and real PostgreSQL: binding codes, chat bindings, cadre accounts, API clients."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from core.errors import InvalidInput, NotFound, RateLimited
from core.records.audit import CLI_ADMIN
from core.records.db import Database
from core.records.households import HouseholdRecords, Jurisdiction
from core.records.identity import BindingCode, Identity
from core.records.pii import PiiHasher
from core.settings import Settings
from tests.helpers.records import CADRE_ACTOR, CHANNEL, all_text_in_db, audit_rows, small_batch


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


def test_failed_attempts_are_limited_per_channel_so_rotating_chat_ids_is_stopped(
    records: HouseholdRecords, settings: Settings, db: Database
) -> None:
    records.import_batch(small_batch())
    narrow = settings.model_copy(update={"binding_max_failures_per_channel": 3})
    identity = Identity(db, PiiHasher.from_settings(narrow), narrow)
    code = identity.issue_household_code(household_no="H0001", actor=CLI_ADMIN).code
    for i in range(3):  # each chat user fails once: far under the per-user limit
        with pytest.raises(InvalidInput):
            identity.bind(
                channel=CHANNEL, chat_user_id=f"rotating{i}", code=f"ABCDEF{i:02d}", phone="13800000001"
            )
    with pytest.raises(RateLimited) as err:
        identity.bind(channel=CHANNEL, chat_user_id="yet-another", code=code, phone="13800000001")
    assert 0 < err.value.retry_after <= 3600
    # Another channel is not held up; this one binds again once the window has passed.
    with pytest.raises(InvalidInput):
        identity.bind(channel="wechat", chat_user_id="x", code="ABCDEF99", phone="13800000001")
    with db.session() as session:
        session.execute(text("UPDATE binding_failures SET at = :at"), {"at": _an_hour_ago()})
    assert identity.bind(channel=CHANNEL, chat_user_id="owner", code=code, phone="13800000001").household_no


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


def test_keys_issued_before_migration_0003_keep_working_and_can_be_rotated(tmp_path: Path) -> None:
    from alembic import command

    from core.records.db import alembic_config, create_db_engine, database_url
    from core.records.identity import key_hash

    settings = Settings(data_dir=tmp_path, secret_key="test-secret-key-0123456789abcdef")
    engine = create_db_engine(database_url(settings))
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), "0002")
            conn.execute(
                text(
                    "INSERT INTO api_clients (name, role, key_hash, created_at) "
                    "VALUES ('portal', 'portal', :h, CURRENT_TIMESTAMP)"
                ),
                {"h": key_hash("bfk_old-portal-key")},
            )
    finally:
        engine.dispose()
    db = Database.open(settings)  # the new version starting: 0003_trust applied
    try:
        identity = Identity(db, PiiHasher.from_settings(settings), settings)
        assert identity.authenticate("bfk_old-portal-key") is not None
        portal = next(c for c in identity.list_clients() if c.name == "portal")
        assert portal.last_used_at is not None and portal.allow_from == ()
        rotated = identity.rotate_client(name="portal")
        assert identity.authenticate("bfk_old-portal-key") is not None  # within the grace period
        assert identity.authenticate(rotated.key) is not None
    finally:
        db.close()
