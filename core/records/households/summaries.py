"""The plain-Chinese replies about a household's own record, built from the templates in `core.records.texts`.

They go straight into a chat reply to the household itself; they never go into logs.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from core.records import texts as T
from core.records.households.views import HouseholdStatus, PaymentView


def format_date(d: date) -> str:
    return T.DATE.format(y=d.year, m=d.month, d=d.day)


def format_yuan(amount: Decimal) -> str:
    """`1200.00` → ``1200``; `1200.5` → ``1200.50``."""
    q = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return str(q.quantize(Decimal(1))) if q == q.to_integral_value() else str(q)


def status_summary(status: HouseholdStatus) -> str:
    """The short plain-Chinese reply for "what is my household's situation"."""
    h = status.household
    parts = [T.STATUS_TYPE.format(household_no=h.household_no, household_type=h.household_type)]
    if h.monitoring_type:
        parts.append(T.STATUS_MONITORING.format(monitoring_type=h.monitoring_type))
    if h.risk_level:
        parts.append(T.STATUS_RISK.format(risk=T.RISK_LABELS[h.risk_level]))
    parts.append(T.STATUS_SIZE.format(size=h.size))
    if status.measures:
        year = max(m.year for m in status.measures)
        names = list(dict.fromkeys(m.name or m.content for m in status.measures if m.year == year))
        parts.append(T.STATUS_MEASURES.format(year=year, items=T.LIST_SEP.join(names)))
    else:
        parts.append(T.STATUS_NO_MEASURES)
    if status.payments:
        p = status.payments[0]
        parts.append(
            T.STATUS_LAST_PAYMENT.format(
                date=format_date(p.paid_on), item=p.item, amount=format_yuan(p.amount), channel=p.channel
            )
        )
    else:
        parts.append(T.STATUS_NO_PAYMENTS)
    if status.helper_name:
        helper = T.STATUS_HELPER.format(name=status.helper_name)
        if status.helper_phone:
            helper += T.STATUS_HELPER_PHONE.format(phone=status.helper_phone)
        parts.append(helper + "。")
    else:
        parts.append(T.STATUS_NO_HELPER)
    parts.append(T.STATUS_AS_OF.format(date=format_date(h.data_as_of)))
    return "".join(parts)


def payments_summary(
    item: str | None, payments: list[PaymentView], total: Decimal, data_as_of: date, helper: str | None
) -> str:
    """The plain-Chinese reply for "did X arrive"."""
    if payments:
        lines = T.SEP.join(
            T.PAYMENTS_LINE.format(
                date=format_date(p.paid_on), item=p.item, amount=format_yuan(p.amount), channel=p.channel
            )
            for p in payments[:5]
        )
        template = T.PAYMENTS_FOUND if item else T.PAYMENTS_FOUND_ALL
        return template.format(count=len(payments), item=item, lines=lines, total=format_yuan(total))
    head = T.PAYMENTS_NONE.format(item=item) if item else T.PAYMENTS_NONE_ALL
    return head + T.PAYMENTS_AS_OF.format(
        date=format_date(data_as_of), helper=helper or T.PAYMENTS_HELPER_UNKNOWN
    )
