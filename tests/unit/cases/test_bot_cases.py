"""The bot's side of cases without a network: callback data of the report and case buttons, the report draft kept
across a restart (without a phone number), and the plain-words messages of each step."""

from __future__ import annotations

import pytest

from bot import case_texts as CT
from bot import render_cases
from bot.callbacks import KINDS, MAX_BYTES, Menu, MenuChoice
from bot.case_callbacks import CASE_KINDS, CaseAct, CaseChoice, CaseOpen, ReportField, ReportStep
from bot.offer import offer_button
from bot.state import CaseDraft, ReportDraft, UserState
from tests.bot.fake_telegram import parse_html


@pytest.mark.parametrize(
    ("value", "wire"),
    [
        (ReportStep(ReportField.CATEGORY, 2), "rp:c:2"),
        (ReportStep(ReportField.CONFIRM, 1), "rp:k:1"),
        (CaseOpen("FY241208-0042"), "cs:v:FY241208-0042"),
        (CaseAct("FY241208-0042", "decide"), "cs:a:FY241208-0042:decide"),
        (CaseAct("FY241208-12345", "more"), "cs:a:FY241208-12345:more"),
        (CaseChoice("r", 1), "cs:r:1"),
        (Menu(MenuChoice.REPORT), "menu:report"),
    ],
)
def test_case_buttons_have_a_fixed_wire_format_that_no_other_kind_takes(value: object, wire: str) -> None:
    assert value.build() == wire  # type: ignore[attr-defined]
    assert type(value).parse(wire) == value
    assert [k for k in (*KINDS, *CASE_KINDS) if k.PATTERN.match(wire)] == [type(value)]
    assert len(wire.encode()) <= MAX_BYTES


@pytest.mark.parametrize(
    "data", ["cs:a:FY241208-0042:delete", "cs:v:../x", "rp:x:1", "cs:a:FY1-1:verify", "rp:c:1\n"]
)
def test_forged_case_buttons_reach_no_handler(data: str) -> None:
    assert not any(k.PATTERN.match(data) for k in (*KINDS, *CASE_KINDS))


def test_a_report_draft_survives_a_restart_and_never_holds_a_phone() -> None:
    state = UserState(
        report=ReportDraft(
            bound=False,
            on_behalf=True,
            township="青禾镇",
            village="柳湾村",
            category="因灾",
            description="房子塌了",
            files=[["photo-1", "photo"]],
            amount_range="unknown",
            urgent=True,
        ),
        case_draft=CaseDraft("FY241208-0042", "decide", "突发严重困难户", None),
    )
    again = UserState.from_dict(state.to_dict())
    assert again.report == state.report and again.case_draft == state.case_draft
    assert "phone" not in str(state.to_dict())
    assert UserState.from_dict({"report": "garbage"}).report is None


def test_each_step_is_told_in_plain_words_and_values_cannot_inject_markup() -> None:
    verified = render_cases.step(
        {"case_id": "FY241208-0042", "status": "village_verified", "due": "2024-12-12", "note": "<b>属实</b>"}
    )
    assert parse_html(verified).startswith(
        "您报的困难（FY241208-0042）：村里已经入户核实，材料已报乡镇，最晚12月12日前审核完"
    )
    assert "&lt;b&gt;属实" in verified
    included = parse_html(
        render_cases.step(
            {
                "case_id": "FY1",
                "status": "included",
                "monitoring_type": "边缘易致贫户",
                "risk_level": "blue",
                "measures": [{"id": "temporary-assistance", "name": "临时救助"}],
            }
        )
    )
    assert "纳入防返贫监测" in included and "蓝色" in included and "• 临时救助" in included
    behalf = parse_html(render_cases.step({"case_id": "FY1", "status": "included", "on_behalf": True}))
    assert behalf == "您代报的困难（FY1）：已经办结。"
    assert render_cases.notification("unknown", {}) is None


def test_the_offer_appears_only_where_monitoring_is_the_point() -> None:
    assert offer_button({"answer": "可以申请纳入防返贫监测。", "measures": []})
    assert offer_button({"results": [{"measure_id": "monitoring-identification", "status": "need_info"}]})
    assert not offer_button(
        {"results": [{"measure_id": "monitoring-identification", "status": "ineligible"}]}
    )
    assert not offer_button(
        {"answer": "小额信贷最多5万元。", "measures": [{"id": "microcredit", "name": "小额信贷"}]}
    )
    assert CT.REPORT_OFFER_BUTTON
