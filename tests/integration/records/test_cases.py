"""The case store (core.records.cases) on real SQLite and real PostgreSQL: reporting and merging, the steps with
working-day deadlines across 国庆, jurisdiction and levels, overdue queues, attachments, the outbox and digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from core.cases.calendar import WorkingCalendar
from core.errors import Forbidden, InvalidInput, NotFound
from core.records.audit import CLI_ADMIN, Actor, AuditRecord
from core.records.cases import CaseRecords, CaseWorker, NewReport, Reporter
from core.records.db import Database
from core.records.households import HouseholdRecords, Jurisdiction
from core.records.identity import Identity
from core.records.pii import PiiHasher
from core.settings import Settings
from tests.helpers.records import all_text_in_db, id_of, small_batch

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


class Clock:
    """A clock the test moves."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += timedelta(**delta)


def worker(level: str, township: str | None = None, village: str | None = None, n: int = 1) -> CaseWorker:
    return CaseWorker(
        actor=Actor(role="cadre", who=f"cadre:{n}/chat:{n}", channel="telegram"),
        jurisdiction=Jurisdiction(level, township, village),
        level=level,
    )


LIUWAN = worker("village", "青禾镇", "柳湾村", 1)
QINGHE_VILLAGE = worker("village", "青禾镇", "青禾村", 2)
TOWNSHIP = worker("township", "青禾镇", n=3)
OTHER_TOWNSHIP = worker("township", "白沙乡", n=4)
COUNTY = worker("county", n=5)
ADMIN = CaseWorker(actor=CLI_ADMIN, jurisdiction=Jurisdiction.county(), level=None)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2024, 9, 30, 2, 0, tzinfo=UTC))  # Monday 9月30日, 10:00 in China


@pytest.fixture
def cases(db: Database, settings: Settings, records: HouseholdRecords, clock: Clock) -> CaseRecords:
    records.import_batch(small_batch())
    found = [{"id": "temporary-assistance", "name": "临时救助"}]
    return CaseRecords(
        db,
        PiiHasher.from_settings(settings),
        settings,
        clock=clock,
        calendar=WorkingCalendar(),
        measures_for=lambda category, kind: found if kind == "突发严重困难户" else [],
    )


def household_reporter(db: Database, no: str = "H0001", chat: str = "100") -> Reporter:
    return Reporter("telegram", chat, household_id=id_of(db, no))


def test_a_report_goes_village_township_county_with_working_day_deadlines_across_guoqing(
    cases: CaseRecords, db: Database, clock: Clock
) -> None:
    reporter = household_reporter(db)
    receipt = cases.report(
        reporter=reporter, report=NewReport("因病", "老伴住院，花了三万多", "20k_50k", True)
    )
    case = receipt.case
    assert not receipt.merged and case.status == "reported" and case.household_no == "H0001"
    assert (case.township, case.village) == ("青禾镇", "柳湾村")
    assert case.case_no.startswith("FY240930-") and case.due == date(2024, 10, 9)  # 2 working days over 国庆

    clock.at = datetime(2024, 10, 8, 3, tzinfo=UTC)
    verified = cases.act(worker=LIUWAN, case_no=case.case_no, action="verify", note="入户核实，情况属实")
    assert verified.status == "village_verified" and verified.due == date(
        2024, 10, 14
    )  # 9, 10, 11, 12 (a Saturday worked), 14
    reviewed = cases.act(worker=TOWNSHIP, case_no=case.case_no, action="review", note="同意上报")
    assert reviewed.status == "township_reviewed"
    decided = cases.act(
        worker=COUNTY,
        case_no=case.case_no,
        action="decide",
        note="因病支出大，纳入监测",
        monitoring_type="突发严重困难户",
        risk_level="orange",
    )
    assert decided.status == "included" and decided.due is None and not decided.overdue
    assert (decided.monitoring_type, decided.risk_level) == ("突发严重困难户", "orange")
    assert decided.measures == [{"id": "temporary-assistance", "name": "临时救助"}]
    assert [s.action for s in decided.history] == ["report", "verify", "review", "decide"]

    # The reporter hears of each step, in order, with the decision's measures; the channel acknowledges.
    told = [n for n in cases.claim(channel="telegram") if n.chat_user_id == "100"]
    assert [n.payload["status"] for n in told] == ["village_verified", "township_reviewed", "included"]
    assert told[0].payload["due"] == "2024-10-14" and told[0].payload["note"] == "入户核实，情况属实"
    assert told[-1].payload["measures"] == decided.measures and told[-1].payload["risk_level"] == "orange"
    everything = cases.claim(channel="telegram")
    assert everything == []  # leased: a second poller gets nothing
    assert cases.ack(channel="wechat", ids=[n.id for n in told]) == 0  # another channel's ids do nothing
    assert cases.ack(channel="telegram", ids=[n.id for n in told]) == 3
    clock.advance(minutes=5)  # after the lease: only what was not acknowledged comes back
    again = cases.claim(channel="telegram")
    assert all(n.chat_user_id != "100" for n in again)

    mine = cases.my_reports(reporter=reporter)
    assert [c.case_no for c in mine] == [case.case_no]
    assert all(s.actor == "" for s in mine[0].history) and mine[0].reporter_phone_masked is None


def test_cadres_see_and_act_only_in_their_jurisdiction_and_at_their_level(
    cases: CaseRecords, db: Database
) -> None:
    case = cases.report(reporter=household_reporter(db), report=NewReport("因灾", "房子被水冲了")).case
    for stranger in (QINGHE_VILLAGE, OTHER_TOWNSHIP):
        with pytest.raises(NotFound):
            cases.case(worker=stranger, case_no=case.case_no)
        with pytest.raises(NotFound):
            cases.act(worker=stranger, case_no=case.case_no, action="verify")
        assert cases.list_cases(worker=stranger) == []
    with pytest.raises(Forbidden):
        cases.act(worker=TOWNSHIP, case_no=case.case_no, action="verify")  # the village's step
    with pytest.raises(InvalidInput):
        cases.act(worker=COUNTY, case_no=case.case_no, action="decide", monitoring_type="x", risk_level="red")
    with pytest.raises(InvalidInput):
        cases.act(worker=LIUWAN, case_no=case.case_no, action="return", note="  ")  # a return says what
    with pytest.raises(NotFound):
        cases.case(worker=LIUWAN, case_no="../etc")
    assert cases.case(worker=LIUWAN, case_no=case.case_no).status == "reported"
    assert cases.act(worker=ADMIN, case_no=case.case_no, action="verify").status == "village_verified"
    assert [c.case_no for c in cases.list_cases(worker=TOWNSHIP)] == [case.case_no]
    actions = {
        (r.action, r.actor)
        for r in db_records(db)
        if r.detail and case.case_no in r.detail and r.household_no == "H0001"
    }
    assert {
        ("case_report", "chat:100"),
        ("case_view", "cadre:1/chat:1"),
        ("case_action", "admin:cli"),
    } <= actions


def db_records(db: Database) -> list[AuditRecord]:
    with db.read_session() as session:
        return list(session.scalars(select(AuditRecord).order_by(AuditRecord.id)))


def test_a_second_report_within_24_hours_is_merged_and_a_later_one_opens_a_new_case(
    cases: CaseRecords, db: Database, clock: Clock
) -> None:
    first = cases.report(reporter=household_reporter(db), report=NewReport("因病", "住院了")).case
    # Another member of the household, from another chat account, reports the same thing.
    second = cases.report(
        reporter=household_reporter(db, chat="101"), report=NewReport("因病", "又花了一万", urgent=True)
    )
    assert second.merged and second.case.case_no == first.case_no and second.case.urgent
    assert [(s.action, s.note) for s in second.case.history] == [("report", None), ("merge", "又花了一万")]
    other = cases.report(reporter=household_reporter(db), report=NewReport("因灾", "冰雹打了庄稼"))
    assert not other.merged and other.case.case_no != first.case_no
    clock.advance(hours=25)
    later = cases.report(reporter=household_reporter(db), report=NewReport("因病", "又住院了"))
    assert not later.merged
    assert first.description == "住院了"  # nothing filed is lost


def test_an_unbound_reporter_names_a_village_and_is_linked_by_the_phone_on_record(
    cases: CaseRecords, db: Database, settings: Settings
) -> None:
    own = cases.report(
        reporter=Reporter("telegram", "200", phone="+86 138 0000 0002"),
        report=NewReport("失业", "厂子停工了", village="青禾村"),
    ).case
    assert own.household_no == "H0002"  # the phone on record of a household in that village
    neighbour = Reporter("telegram", "201", phone="13912345678")
    behalf = cases.report(
        reporter=neighbour, report=NewReport("因意外", "邻居摔断了腿", on_behalf=True, village="柳湾村")
    ).case
    assert behalf.household_no is None and behalf.on_behalf and behalf.village == "柳湾村"
    with pytest.raises(InvalidInput, match="county's list"):
        cases.report(reporter=neighbour, report=NewReport("因病", "x", village="不存在村"))
    with pytest.raises(InvalidInput, match="phone"):
        cases.report(reporter=Reporter("telegram", "202"), report=NewReport("因病", "x", village="柳湾村"))
    with pytest.raises(InvalidInput):
        cases.report(reporter=neighbour, report=NewReport("天灾", "x", village="柳湾村"))
    with pytest.raises(InvalidInput):
        cases.report(reporter=neighbour, report=NewReport("因病", "x" * 1001, village="柳湾村"))

    # The village cadre links the 代报 to the household's record; the neighbour never sees the decision.
    linked = cases.act(worker=LIUWAN, case_no=behalf.case_no, action="link", household_no="H0001")
    assert linked.household_no == "H0001" and linked.reporter_phone_masked == "139****5678"
    with pytest.raises(NotFound):
        cases.act(worker=LIUWAN, case_no=behalf.case_no, action="link", household_no="H0003")  # 白沙乡
    for step, who in (("verify", LIUWAN), ("review", TOWNSHIP)):
        cases.act(worker=who, case_no=behalf.case_no, action=step, note="属实")
    cases.act(
        worker=COUNTY,
        case_no=behalf.case_no,
        action="decide",
        monitoring_type="边缘易致贫户",
        risk_level="blue",
    )
    seen = cases.my_reports(reporter=neighbour)[0]
    assert seen.status == "included" and seen.monitoring_type is None and seen.household_no is None
    assert all(s.note is None for s in seen.history)
    told = [n.payload for n in cases.claim(channel="telegram") if n.chat_user_id == "201"]
    assert told and all("note" not in p and "monitoring_type" not in p for p in told)
    # The household itself, once bound, follows the case the neighbour filed for it.
    assert behalf.case_no in [
        c.case_no for c in cases.my_reports(reporter=household_reporter(db, chat="300"))
    ]
    text = all_text_in_db(db)
    assert "13912345678" not in text and "13800000002" not in text


def test_overdue_cases_are_flagged_and_reach_the_next_level_s_queue(
    cases: CaseRecords, db: Database, clock: Clock
) -> None:
    late = cases.report(reporter=household_reporter(db), report=NewReport("因学", "孩子考上大学没学费")).case
    assert cases.list_cases(worker=TOWNSHIP, queue=True) == []
    clock.at = datetime(2024, 10, 10, 2, tzinfo=UTC)  # the village's deadline was 10月9日
    assert [c.overdue for c in cases.list_cases(worker=LIUWAN)] == [True]
    queue = cases.list_cases(worker=TOWNSHIP, queue=True)
    assert [(c.case_no, c.overdue, c.waits_on) for c in queue] == [(late.case_no, True, "village")]
    assert cases.list_cases(worker=TOWNSHIP, overdue=False) == []
    assert cases.list_cases(worker=COUNTY, queue=True) == []  # two levels up: not yet
    assert [c.case_no for c in cases.list_cases(worker=LIUWAN, status="reported", village="柳湾村")] == [
        late.case_no
    ]


def test_a_return_waits_on_the_household_and_its_answer_resumes_the_step(
    cases: CaseRecords, db: Database
) -> None:
    reporter = household_reporter(db)
    case = cases.report(reporter=reporter, report=NewReport("产业失败", "羊得病死了")).case
    cases.act(worker=LIUWAN, case_no=case.case_no, action="verify")
    returned = cases.act(worker=TOWNSHIP, case_no=case.case_no, action="return", note="请补充兽医证明")
    assert returned.status == "returned" and returned.due is None and returned.waits_on == "household"
    with pytest.raises(InvalidInput):
        cases.act(worker=TOWNSHIP, case_no=case.case_no, action="review")
    resumed = cases.answer_return(reporter=reporter, case_no=case.case_no, note="证明已经交给村里")
    assert resumed.status == "village_verified" and resumed.due is not None
    with pytest.raises(NotFound):
        cases.withdraw(reporter=Reporter("telegram", "999", phone="13912345678"), case_no=case.case_no)
    assert cases.withdraw(reporter=reporter, case_no=case.case_no).status == "withdrawn"
    with pytest.raises(InvalidInput):
        cases.act(worker=TOWNSHIP, case_no=case.case_no, action="review")


def test_attachments_are_images_or_voice_size_limited_and_served_to_the_case_s_cadres(
    cases: CaseRecords, db: Database, settings: Settings
) -> None:
    reporter = household_reporter(db)
    case = cases.report(reporter=reporter, report=NewReport("因病", "票据见照片")).case
    stored = cases.attach_as_reporter(reporter=reporter, case_no=case.case_no, data=JPEG)
    assert stored.content_type == "image/jpeg" and stored.size == len(JPEG)
    cadre_photo = cases.attach(worker=LIUWAN, case_no=case.case_no, data=PNG)
    for bad in (
        b"%PDF-1.4 not an image",
        b"",
        b"\xff\xd8\xff" + b"\x00" * settings.case_attachment_max_bytes,
    ):
        with pytest.raises(InvalidInput):
            cases.attach_as_reporter(reporter=reporter, case_no=case.case_no, data=bad)
    assert cases.attachment(worker=LIUWAN, case_no=case.case_no, attachment_id=stored.id) == (
        "image/jpeg",
        JPEG,
    )
    with pytest.raises(NotFound):
        cases.attachment(worker=QINGHE_VILLAGE, case_no=case.case_no, attachment_id=stored.id)
    with pytest.raises(NotFound):
        cases.attachment(worker=LIUWAN, case_no=case.case_no, attachment_id=stored.id + 1000)
    detail = cases.case(worker=TOWNSHIP, case_no=case.case_no)
    assert [a.id for a in detail.attachments] == [stored.id, cadre_photo.id]
    assert cases.my_reports(reporter=reporter)[0].attachments == []  # the household's view lists none


def test_each_bound_cadre_gets_one_digest_a_day(
    cases: CaseRecords, db: Database, identity: Identity, clock: Clock
) -> None:
    cadre = identity.create_cadre(
        name="周文斌",
        phone="13900000011",
        jurisdiction=Jurisdiction.of_village("青禾镇", "柳湾村"),
        actor=CLI_ADMIN,
    )
    code = identity.issue_cadre_code(cadre_id=cadre.id, actor=CLI_ADMIN).code
    identity.bind(channel="telegram", chat_user_id="900", code=code, phone="13900000011")
    assert cases.enqueue_digests(channel="telegram") == 0  # nothing waiting: no digest
    case = cases.report(reporter=household_reporter(db), report=NewReport("因病", "住院")).case
    queued = [n for n in cases.claim(channel="telegram") if n.chat_user_id == "900"]
    assert [n.kind for n in queued] == ["case_queue"] and queued[0].payload["case_id"] == case.case_no
    assert cases.enqueue_digests(channel="telegram") == 1
    assert cases.enqueue_digests(channel="telegram") == 0  # once a day, however often asked
    digest = [n for n in cases.claim(channel="telegram") if n.kind == "digest"]
    assert (
        len(digest) == 1
        and digest[0].payload["waiting"] == 1
        and digest[0].payload["cases"][0]["case_id"] == case.case_no
    )
    clock.advance(days=1)
    assert cases.enqueue_digests(channel="telegram") == 1
