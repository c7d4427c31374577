"""Plain-Chinese texts about a household's own records, in one place for review by a Chinese reader.

The summaries go straight into a chat reply to the household itself; they never go into logs.
"""

from __future__ import annotations

RISK_LABELS = {
    "red": "红色（一级风险）",
    "orange": "橙色（二级风险）",
    "blue": "蓝色（三级风险）",
}

STATUS_TYPE = "您家（户编号{household_no}）是{household_type}"
STATUS_MONITORING = "，监测类型是{monitoring_type}"
STATUS_RISK = "，风险等级{risk}"
STATUS_SIZE = "，家里登记{size}口人。"
STATUS_MEASURES = "{year}年落实的帮扶：{items}。"
STATUS_NO_MEASURES = "系统里还没有登记给您家的帮扶措施。"
STATUS_LAST_PAYMENT = "最近一笔到账：{date}{item}{amount}元（{channel}）。"
STATUS_NO_PAYMENTS = "系统里还没有给您家发钱的记录。"
STATUS_HELPER = "您的帮扶责任人是{name}"
STATUS_HELPER_PHONE = "，电话{phone}"
STATUS_NO_HELPER = "系统里还没有登记您的帮扶责任人，请问村委会。"
STATUS_AS_OF = "以上是截至{date}的数据，有不对的地方请找帮扶责任人或村委会核实。"

PAYMENTS_FOUND = "查到{count}笔“{item}”：{lines}，合计{total}元。"
PAYMENTS_FOUND_ALL = "查到您家{count}笔发放记录：{lines}，合计{total}元。"
PAYMENTS_LINE = "{date}{item}{amount}元（{channel}）"
PAYMENTS_NONE = "没有查到“{item}”的发放记录。"
PAYMENTS_NONE_ALL = "系统里还没有给您家发钱的记录。"
PAYMENTS_AS_OF = "数据截至{date}，可能还没录入最近的发放；如果您觉得该发没发，请问帮扶责任人{helper}。"
PAYMENTS_HELPER_UNKNOWN = "或村委会"

SEP = "；"
LIST_SEP = "、"
DATE = "{y}年{m}月{d}日"
