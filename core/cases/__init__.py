"""The rules of the 防返贫 self-report procedure, with no storage: statuses and steps, working-day deadlines.

A household (or a neighbour, 代报) reports a sudden hardship; the case goes 农户申报 → 村级核实 (入户核实) →
乡镇审核 → 县级确认 (纳入监测 with a monitoring type and a risk colour, or 不纳入 with a reason), and may be
returned for more material or withdrawn. Each step has a deadline in working days (statutory holidays and
make-up workdays from the maintained `chinese-calendar` package)::

    calendar = WorkingCalendar()
    calendar.add_working_days(date(2024, 9, 30), 2)          # date(2024, 10, 9): across 国庆
    step = transition(Status.REPORTED, Action.VERIFY)         # Status.VILLAGE_VERIFIED, acted by a village cadre

| module | holds |
|---|---|
| `calendar` | working days and the clock (China Standard Time) |
| `workflow` | statuses, actions, who may take which, categories, amount ranges, deadlines per step |
| `texts` | the plain-Chinese labels of statuses and categories the API shows |

The SQL side (tables, the case store, the notification outbox) is `core.records.cases`; it builds on this
package, never the other way round.
"""
