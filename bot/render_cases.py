"""Hardship reports and cases as chat messages (Telegram HTML): the /report confirmation, /myreports, a cadre's
queue and case, what each step tells the reporter, the queue notice and the morning digest.

Every value is escaped (`render.fmt`); dates are China's calendar days, deadlines written short (12月12日).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from bot import case_texts as CT
from bot.render import esc, fmt, format_datetime
from bot.state import ReportDraft

CATEGORY_LABELS = {value: label for label, value in CT.REPORT_CATEGORIES}
AMOUNT_LABELS = {value: label for label, value in CT.REPORT_AMOUNTS}


def short_date(value: object) -> str:
    """`2024-12-12` → `12月12日`."""
    try:
        d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value or "")
    return CT.SHORT_DATE.format(m=d.month, d=d.day)


def category(value: object) -> str:
    return CATEGORY_LABELS.get(str(value), str(value))


# -- the reporter ----------------------------------------------------------------------------------------------------
def confirm(draft: ReportDraft) -> str:
    """The summary shown before a report is sent."""
    village = draft.village or CT.REPORT_CONFIRM_OWN_VILLAGE
    return fmt(
        CT.REPORT_CONFIRM,
        who=CT.REPORT_WHO_OTHER if draft.on_behalf else CT.REPORT_WHO_SELF,
        village=village,
        category=category(draft.category),
        description=draft.description or CT.REPORT_VOICE_ONLY,
        files=len(draft.files),
        amount=AMOUNT_LABELS.get(str(draft.amount_range), ""),
        urgent=CT.REPORT_URGENT_YES if draft.urgent else CT.REPORT_URGENT_NO,
    )


def receipt(data: Mapping[str, Any]) -> str:
    """What the reporter is told once the API took the report (or merged it)."""
    if data.get("merged"):
        return fmt(CT.REPORT_MERGED, case_id=data["case_id"])
    return fmt(CT.REPORT_DONE, case_id=data["case_id"], due=short_date(data.get("due")))


def my_reports(reports: Sequence[Mapping[str, Any]]) -> str:
    if not reports:
        return CT.MYREPORTS_NONE
    lines = [fmt(CT.MYREPORTS_HEAD, count=len(reports))]
    for r in reports:
        due = fmt(CT.MYREPORT_DUE, date=short_date(r["due"])) if r.get("due") else ""
        lines.append(
            fmt(
                CT.MYREPORT_ITEM,
                case_id=r["case_id"],
                category=category(r["category"]),
                status=r["status_label"],
            )
            + due
        )
        if r.get("status") == "returned":
            notes = [h.get("note") for h in r.get("history") or [] if h.get("action") == "return"]
            if notes and notes[-1]:
                lines.append(fmt(CT.MYREPORT_RETURNED, note=notes[-1]))
    return "\n".join(lines)


# -- cadres --------------------------------------------------------------------------------------------------------------
def case_line(c: Mapping[str, Any]) -> str:
    return fmt(
        CT.CASE_LINE,
        case_id=c["case_id"],
        village=c["village"],
        category=category(c["category"]),
        urgent=CT.CASE_URGENT if c.get("urgent") else "",
        status=c["status_label"],
        due=fmt(CT.CASE_DUE, date=short_date(c["due"])) if c.get("due") else "",
        overdue=CT.CASE_OVERDUE if c.get("overdue") else "",
    )


def case_list(cases: Sequence[Mapping[str, Any]]) -> str:
    if not cases:
        return CT.CASES_NONE
    return "\n".join([fmt(CT.CASES_HEAD, count=len(cases)), *(case_line(c) for c in cases)])


def case_detail(c: Mapping[str, Any]) -> str:
    """One case for a cadre: what was reported, by whom (phone masked), its deadline and its history."""
    place = f"{c['township']}{c['village']}"
    head = fmt(
        CT.CASE_DETAIL,
        case_id=c["case_id"],
        status=c["status_label"],
        place=place,
        category=category(c["category"]) + (CT.CASE_BEHALF if c.get("on_behalf") else ""),
        urgent=CT.CASE_URGENT if c.get("urgent") else "",
        amount=AMOUNT_LABELS.get(str(c.get("amount_range")), ""),
        household=c.get("household_no") or CT.CASE_NO_HOUSEHOLD,
        description=c.get("description", ""),
        reporter=fmt(CT.CASE_REPORTER_PHONE, phone=c["reporter_phone_masked"])
        if c.get("reporter_phone_masked")
        else "",
        files=len(c.get("attachments") or []),
        due=fmt(
            CT.CASE_DETAIL_DUE, date=short_date(c["due"]), overdue=CT.CASE_OVERDUE if c.get("overdue") else ""
        )
        if c.get("due")
        else "",
    )
    history = [CT.CASE_HISTORY_HEAD]
    for h in c.get("history") or []:
        note = fmt(CT.CASE_HISTORY_NOTE, note=h["note"]) if h.get("note") else ""
        name = CT.CASE_STEP_NAMES.get(str(h.get("action")), str(h.get("action")))
        history.append(fmt(CT.CASE_HISTORY_LINE, at=format_datetime(str(h["at"])), action=name) + note)
    return head + "\n\n" + "\n".join(history)


# -- notifications ---------------------------------------------------------------------------------------------------------
def notification(kind: str, payload: Mapping[str, Any]) -> str | None:
    """The message for a notification of the outbox; None for a kind this bot does not know (left unsent)."""
    if kind == "case_step":
        return step(payload)
    if kind == "case_queue":
        return fmt(
            CT.QUEUE_NEW,
            village=payload.get("village", ""),
            category=category(payload.get("category")),
            urgent=CT.CASE_URGENT if payload.get("urgent") else "",
            case_id=payload.get("case_id", ""),
            due=short_date(payload.get("due")),
        )
    if kind == "digest":
        return digest(payload)
    return None


def step(p: Mapping[str, Any]) -> str:
    """A step of the reporter's case in plain words, with the decision's reason and what to do next."""
    case_id, status = p.get("case_id", ""), str(p.get("status"))
    if p.get("on_behalf"):
        return fmt(CT.STEP_BEHALF, case_id=case_id, status=CT.STEP_BEHALF_STATUS.get(status, status))
    note = str(p.get("note") or "")
    due = short_date(p.get("due"))
    if status == "village_verified":
        text = fmt(CT.STEP_VERIFIED, case_id=case_id, due=due)
    elif status == "township_reviewed":
        text = fmt(CT.STEP_REVIEWED, case_id=case_id, due=due)
    elif status == "included":
        risk = CT.RISK_WORDS.get(str(p.get("risk_level")), "")
        parts = [
            fmt(CT.STEP_INCLUDED, case_id=case_id, monitoring_type=p.get("monitoring_type", ""), risk=risk)
        ]
        if note:
            parts.append(fmt(CT.STEP_NOTE, note=note).strip())
        parts.append(CT.STEP_NEXT_INCLUDED)
        measures = [m for m in p.get("measures") or [] if m.get("name")]
        if measures:
            parts.append(
                "\n".join([CT.STEP_MEASURES_HEAD, *(fmt(CT.STEP_MEASURE, name=m["name"]) for m in measures)])
            )
        parts.append(CT.STEP_FOOTER)
        return "\n\n".join(parts)
    elif status == "not_included":
        return "\n\n".join([fmt(CT.STEP_NOT_INCLUDED, case_id=case_id, note=note), CT.STEP_NEXT_NOT_INCLUDED])
    elif status == "returned":
        return fmt(CT.STEP_RETURNED, case_id=case_id, note=note)
    elif status == "withdrawn":
        text = fmt(CT.STEP_WITHDRAWN, case_id=case_id)
    else:
        text = esc(case_id)
    if note:
        text += fmt(CT.STEP_NOTE, note=note)
    return text


def digest(p: Mapping[str, Any]) -> str:
    cases = list(p.get("cases") or [])
    lines = [
        fmt(
            CT.DIGEST_HEAD,
            label=p.get("jurisdiction", ""),
            waiting=p.get("waiting", 0),
            overdue=p.get("overdue", 0),
        )
    ]
    for c in cases:
        lines.append(case_line(c | {"status_label": CT.DIGEST_STATUS.get(str(c.get("status")), "")}))
    more = int(p.get("waiting", 0)) - len(cases)
    lines.append(fmt(CT.DIGEST_MORE, count=more) if more > 0 else CT.DIGEST_FOOTER)
    return "\n".join(lines)
