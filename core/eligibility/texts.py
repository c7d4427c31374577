"""User-facing Chinese of the eligibility area, in one place for review by a Chinese reader."""

from __future__ import annotations

# Facts (core.eligibility.facts): values and interview buttons.
FACT_YES = "是"
FACT_NO = "否"
FACT_ENUM_VALUE = "{label}是{value}{unit}"
FACT_INT_VALUE = "{label}为{value}{unit}"
FACT_BUCKET_ONE = "{lo}{unit}"
FACT_BUCKET_LOW = "{hi}{unit}及以下"
FACT_BUCKET_HIGH = "{lo}{unit}及以上"
FACT_BUCKET_MID = "{lo}–{hi}{unit}"
# Bool phrases derived from a label of the form "<subject>是否<predicate>".
FACT_WHETHER = "是否"
FACT_BOOL_TRUE = "是{rest}"
FACT_BOOL_FALSE = "不是{rest}"
FACT_BOOL_HAS_FALSE = "没{rest}"  # 有X -> 没有X
FACT_BOOL_LACK_FALSE = "有{rest}"  # 没有X -> 有X
FACT_BOOL_VERB_FALSE = "没有{rest}"  # 患X / 因X / 外出X -> 没有…
FACT_BOOL_MODAL_FALSE = "不{rest}"  # 想X / 低于X -> 不…
FACT_BOOL_PLAIN_TRUE = "{label}：是"
FACT_BOOL_PLAIN_FALSE = "{label}：否"

# Rules (core.eligibility.rules): requirements and reasons. {subject} is the fact's label.
RULE_LIST_SEP = "、"
RULE_IS = "是{v}"
RULE_IS_NOT = "不是{v}"
RULE_IN = "属于{v}"
RULE_NOT_IN = "不属于{v}"
RULE_GTE = "在{n}{u}及以上"
RULE_GTE_NEG = "不到{n}{u}"
RULE_LTE = "在{n}{u}及以下"
RULE_LTE_NEG = "超过{n}{u}"
RULE_BETWEEN = "在{lo}至{hi}{u}之间"
RULE_BETWEEN_NEG = "不在{lo}至{hi}{u}之间"
RULE_BOOL_ANY = "{subject}不限"
RULE_BOOL_NONE = "{subject}无论是或否都不行"
# Leaf reasons.
RULE_MET = "{actual}（符合：{requirement}）"
RULE_FAILED = "{actual}，{predicate}"
RULE_FAILED_LABEL = "{actual}，不符合：{requirement}"
RULE_PENDING = "还需要知道{subject}（条件：{requirement}）"
# Labelled groups, and labels seen through a `not`.
RULE_GROUP_MET = "符合：{label}"
RULE_GROUP_FAILED = "不符合：{label}（{details}）"
RULE_GROUP_PENDING = "还不确定是否符合：{label}（{details}）"
RULE_DETAIL_SEP = "；"
RULE_NEGATED_LABEL = "不属于“{label}”的情况"

# Screening and the interview (core.eligibility.screening, core.eligibility.interview).
SCREEN_CHECKLIST_LABEL = "家里的情况"
SCREEN_CHECKLIST_QUESTION = "下面这些情况，您家有吗？有的都选上，都没有就直接点“选好了”。"

# Facts taken from a household's record (core.eligibility.prefill).
PREFILL_HOUSEHOLD = "按您家档案，已知：{items}"
PREFILL_MEMBER = "按成员{number}（{relation}）的档案：{items}"
PREFILL_MEMBER_NO_RELATION = "按成员{number}的档案：{items}"
PREFILL_NO_MEMBER = "家里登记了{count}口人，没说问的是谁，个人的情况（年龄、劳动能力等）还要问您"
PREFILL_DATE = "{y}年{m}月{d}日"
PREFILL_AS_OF = "档案截至{date}，如果和现在不一样，以您说的为准。"
PREFILL_NOTHING = "这次没有按您家档案填写任何情况。"
PREFILL_ITEM_SEP = "、"
PREFILL_PART_SEP = "；"
PREFILL_END = "。"

# Why nobody can get a measure any more (its basis documents ended).
LAPSED_SUPERSEDED = "这项政策的文件已经被新文件代替，现在按新政策办理，请问村里或乡镇。"
LAPSED_EXPIRED = "这项政策已经到期（执行到{y}年{m}月{d}日），现在不再办理。"
