"""The 防返贫 offer: 家里遇到难处？点这里申报 under an answer or a screening that points to 防返贫监测."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import case_texts as CT
from bot.callbacks import Menu, MenuChoice
from bot.chat import Row, button

MONITORING_MEASURE = "monitoring-identification"  # the catalog's 防止返贫监测对象识别纳入
_MONITORING_WORDS = ("返贫监测", "防返贫", "突发严重困难")


def offer_button(data: Mapping[str, Any]) -> list[Row]:
    """The offer's button row when an answer (its measures or words) or a screening (the monitoring measure
    eligible or still open) points to 防返贫监测; else no row."""
    measures = [str(m.get("id")) for m in data.get("measures") or []]
    results = [
        str(r.get("measure_id"))
        for r in data.get("results") or []
        if r.get("status") in ("eligible", "need_info")
    ]
    text = str(data.get("answer") or "")
    if MONITORING_MEASURE in measures + results or any(w in text for w in _MONITORING_WORDS):
        return [[button(CT.REPORT_OFFER_BUTTON, Menu(MenuChoice.REPORT))]]
    return []
