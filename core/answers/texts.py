"""Plain-Chinese texts the core composes into answers, in one place for review by a Chinese reader."""

from __future__ import annotations

ABSTAIN = (
    "抱歉，政策库里没有找到能回答这个问题的内容，我不乱说。"
    "建议您问问本村的帮扶责任人或驻村工作队，也可以到乡镇便民服务中心咨询，"
    "或拨打县乡村振兴局咨询电话（全国防返贫监测帮扶热线12317）。"
)
# A matter another office handles (policies/glossary.yaml `referrals`); {office} is the referral's office.
ABSTAIN_REFERRAL = (
    "这个问题不归帮扶政策管，您可以问：{office}。"
    "帮扶政策方面的事（危房改造、小额信贷、看病报销、上学资助、公益岗位等）欢迎再问我，也可以找本村帮扶责任人。"
)
ABSTAIN_HOSTILE = (
    "这个问题我不能回答。我只回答帮扶政策方面的问题，比如危房改造、小额信贷、医疗报销、上学资助、公益岗位等。"
    "有别的事请找本村帮扶责任人或驻村工作队。"
)
# A follow-up with no earlier question to read it by (要带什么材料 as a first question); {names}: 2–3 measures.
CLARIFY = "您问的是哪一项政策？是{names}，还是别的？请点选，或者带上政策名称再问一次。"
# Messages that ask nothing (core/answers/smalltalk.py).
SMALLTALK_HELLO = (
    "您好！我是帮扶政策问答。想问哪项政策、能不能办、怎么办，直接打字问我就行，比如“危房改造补多少钱”。"
)
SMALLTALK_THANKS = "不客气！还有想问的，直接打字问我就行。"
SMALLTALK_OK = "好的。还有想问的，直接打字问我就行。"
SMALLTALK_BYE = "再见！有事随时来问。"
SMALLTALK_ASK = "您想问什么？直接打字问我就行，比如“危房改造补多少钱”“小额信贷要带什么材料”。"
MEASURE_HEAD = "【{name}】"
MEASURE_WHO = "谁能办：{who}"
MEASURE_AMOUNT = "补多少：{amount}"
MEASURE_HOW = "怎么办：{how}"
MEASURE_MATERIALS = "带什么：{materials}"
MEASURE_OFFICE = "找谁：{office}"
POLICY_SAYS = "政策原文："
EXPIRED_NOTE = "注意：[{n}]《{title}》已过有效期，仅供参考，办事前请向乡镇核实。"
SUPERSEDED_NOTE = "注意：[{n}]《{title}》已被新文件[{m}]《{new_title}》代替，请以新文件为准。"
NOT_YET_NOTE = "注意：[{n}]《{title}》还没开始施行。"
LIST_SEP = "、"
# A footnote under an answer in a chat reply (core/answers/quoting.py), one per citation.
FOOTNOTE = "[{n}] 《{title}》{doc_number}{section}：“{quote}”"
FOOTNOTE_DOC_NUMBER = "（{doc_number}）"
FOOTNOTE_SECTION = " {section}"
ELLIPSIS = "…"
