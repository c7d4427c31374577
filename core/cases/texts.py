"""Plain-Chinese labels of the procedure, for the API's responses, in one place for review by a Chinese reader."""

from __future__ import annotations

STATUS_LABELS = {
    "reported": "已申报，等村里入户核实",
    "village_verified": "村里已核实，等乡镇审核",
    "township_reviewed": "乡镇已审核，等县里确认",
    "included": "已纳入防返贫监测",
    "not_included": "经审核不纳入监测",
    "returned": "退回补充材料",
    "withdrawn": "已撤回",
}

AMOUNT_LABELS = {
    "under_5k": "5千元以下",
    "5k_20k": "5千到2万元",
    "20k_50k": "2万到5万元",
    "over_50k": "5万元以上",
    "unknown": "说不清",
}
