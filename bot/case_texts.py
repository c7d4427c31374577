"""Every user-facing text of the bot's hardship reports and cases (/report, /myreports, /cases, the messages the
bot sends on its own), in plain simplified Chinese, for review by a Chinese reader.

Telegram HTML, like `bot.texts`: every `{placeholder}` is filled by `bot.render.fmt`, which escapes the value.
"""

from __future__ import annotations

# -- /report: a hardship report (防返贫 自主申报) -------------------------------------------------------------------------
REPORT_WHO = (
    "家里遇到难处，可以在这里向村里申报，村里、乡镇、县里会按步骤办理，每一步都会告诉您。\n请问是给谁报？"
)
REPORT_WHO_SELF = "我家自己"
REPORT_WHO_OTHER = "替乡亲代报"
REPORT_VILLAGE = "请选这户人家所在的村："
REPORT_NO_VILLAGES = "系统里还没有村的名单，请直接找村委会申报，也可以打全国防返贫监测帮扶热线 12317。"
REPORT_CATEGORY = "遇到了什么难处？"
# (label on the button, the category the API takes)
REPORT_CATEGORIES = (
    ("因病", "因病"),
    ("因灾", "因灾"),
    ("因意外", "因意外"),
    ("因学", "因学"),
    ("失业或务工受阻", "失业"),
    ("产业失败", "产业失败"),
    ("其他", "其他"),
)
REPORT_DESCRIBE = (
    "请用几句话说说发生了什么（打字就行，1000字以内）。\n看病票据、受灾的照片可以直接发给我，也可以发语音。"
)
REPORT_GOT_TEXT = "收到。要补充照片或语音的，直接发给我；说完了点“下一步”。"
REPORT_GOT_FILE = "收到{kind}（共{count}个附件）。还要说什么可以接着发；说完了点“下一步”。"
REPORT_PHOTO = "照片"
REPORT_VOICE = "语音"
REPORT_NEXT = "下一步"
REPORT_NEED_TEXT = "请先打字简单说一句发生了什么，再点“下一步”。"
REPORT_TOO_LONG = "说得太长了，请控制在1000字以内，简单说说就行。"
REPORT_TOO_MANY_FILES = "附件最多{count}个，其他的请交给村干部。"
REPORT_VOICE_ONLY = "（见语音和照片）"
REPORT_AMOUNT = "因为这件事，家里大概花了或少收入了多少钱？"
# (label, the API's amount_range)
REPORT_AMOUNTS = (
    ("5千元以下", "under_5k"),
    ("5千到2万元", "5k_20k"),
    ("2万到5万元", "20k_50k"),
    ("5万元以上", "over_50k"),
    ("说不清", "unknown"),
)
REPORT_URGENT = "现在是不是急得过不下去了（吃饭、看病马上要用钱）？"
REPORT_URGENT_YES = "是，很急"
REPORT_URGENT_NO = "还能撑一撑"
REPORT_CONFIRM = (
    "<b>请核对一下</b>\n给谁报：{who}\n村：{village}\n难处：{category}\n情况：{description}\n"
    "附件：{files}个\n金额：{amount}\n紧急：{urgent}"
)
REPORT_CONFIRM_OWN_VILLAGE = "（按您家档案）"
REPORT_SUBMIT = "确认提交"
REPORT_RESTART = "重新填写"
REPORT_SHARE_PHONE = (
    "最后一步：为了让村干部能联系上您，请点下面的“分享我的手机号”按钮。号码只打码保存，不会给别人看。"
)
REPORT_DONE = (
    "已经报上去了！申报编号：<b>{case_id}</b>\n"
    "村里会在{due}前入户核实，每一步办到哪都会在这里告诉您。发 /myreports 可以随时看进度。"
)
REPORT_MERGED = (
    "这户人家24小时内已经报过同样的难处（编号 <b>{case_id}</b>），这次说的情况已经补充进去了，不用重复报。"
    "发 /myreports 看进度。"
)
REPORT_FILES_FAILED = "有{count}个附件没能传上去，请把照片直接交给村干部。"
REPORT_CADRE = "干部账号不能在这里申报。处理农户的申报请发 /cases。"
REPORT_OFFER_BUTTON = "🆘 家里遇到难处？点这里申报"
REPORT_EXPIRED = "这个申报已经过期了，请发 /report 重新开始。"
REPORT_CANCELLED = "好的，这次先不报了。需要时发 /report。"

MYREPORTS_NONE = "您还没有报过困难。家里遇到难处，发 /report 申报。"
MYREPORTS_HEAD = "<b>您报的困难</b>（{count}件）"
MYREPORT_ITEM = "• <b>{case_id}</b> {category}：{status}"
MYREPORT_DUE = "，最晚{date}前办完这一步"
MYREPORT_RETURNED = "\n　要补充：{note}"
MORE_BUTTON = "补充材料：{case_id}"
MORE_ASK = "请写一句补充了什么（比如“医院证明已经交给村干部”）："
MORE_DONE = "收到，已经把补充的情况转给村里，会接着往下办。"

# -- /cases: a cadre's queue ----------------------------------------------------------------------------------------------
CASES_NONE = "现在没有等您办理的申报。"
CASES_HEAD = "<b>等您办理的申报</b>（{count}件）"
CASE_LINE = "• <b>{case_id}</b> {village} {category}{urgent}：{status}{due}{overdue}"
CASE_URGENT = "（急）"
CASE_DUE = "，{date}前"
CASE_OVERDUE = " ⚠️已超期"
CASE_VIEW_BUTTON = "查看 {case_id}"
CASE_DETAIL = (
    "<b>{case_id}</b>：{status}\n{place} · {category}{urgent} · {amount}\n户编号：{household}\n"
    "情况：{description}\n{reporter}附件：{files}个{due}"
)
CASE_BEHALF = "（代报）"
CASE_NO_HOUSEHOLD = "还没关联到户（请核实后关联）"
CASE_REPORTER_PHONE = "申报人电话：{phone}\n"
CASE_DETAIL_DUE = "\n办理期限：{date}{overdue}"
CASE_HISTORY_HEAD = "<b>经过</b>"
CASE_HISTORY_LINE = "• {at} {action}"
CASE_HISTORY_NOTE = "：{note}"
CASE_ACTION_BUTTONS = {
    "verify": "✅ 入户核实完成",
    "review": "✅ 乡镇审核通过",
    "decide": "✅ 纳入监测",
    "reject": "✖️ 不纳入",
    "return": "↩️ 退回补充材料",
    "note": "📝 写备注",
}
CASE_STEP_NAMES = {
    "report": "申报",
    "merge": "补充申报",
    "verify": "村级入户核实",
    "review": "乡镇审核",
    "decide": "县级确认：纳入监测",
    "reject": "县级确认：不纳入",
    "return": "退回补充材料",
    "resubmit": "补充了材料",
    "withdraw": "撤回",
    "note": "备注",
    "link": "关联到户",
}
CASE_ASK_TYPE = "纳入哪一类监测对象？"
CASE_ASK_RISK = "风险等级定为哪一级？"
CASE_MONITORING_TYPES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
CASE_RISKS = (("🔴 红色", "red"), ("🟠 橙色", "orange"), ("🔵 蓝色", "blue"))
RISK_WORDS = {"red": "红色（一级风险）", "orange": "橙色（二级风险）", "blue": "蓝色（三级风险）"}
CASE_ASK_NOTE = {
    "verify": "请写一句核实情况（没有要写的发“无”）：",
    "review": "请写一句审核意见（没有要写的发“无”）：",
    "decide": "请写一句认定意见，会告诉农户（没有要写的发“无”）：",
    "reject": "请写明不纳入的原因，会原话告诉农户，请用大白话：",
    "return": "请写明还要补充什么材料，会原话告诉农户：",
    "note": "请写备注（只有干部能看到）：",
}
CASE_NOTE_SKIP = "无"
CASE_NOTE_NEEDED = "这一步要写明原因，请再发一次。"
CASE_DONE = "已办理：<b>{case_id}</b> 现在是“{status}”。已经通知申报人。"
CASE_NOTED = "备注已记下。"
CASE_NOT_YOURS = "这一步不归您这一级办理，或者这件申报已经办过了。请发 /cases 刷新。"
CASE_NOT_FOUND = "没有找到这件申报，或者它不在您负责的范围里。"

# -- what the bot tells on its own (notifications, the morning digest) ----------------------------------------------------
STEP_VERIFIED = "您报的困难（{case_id}）：村里已经入户核实，材料已报乡镇，最晚{due}前审核完。"
STEP_REVIEWED = "您报的困难（{case_id}）：乡镇已经审核，材料已报县里，最晚{due}前确认。"
STEP_INCLUDED = "您报的困难（{case_id}）：县里已经确认，您家<b>纳入防返贫监测</b>。\n监测类型：{monitoring_type}；风险等级：{risk}。"
STEP_NEXT_INCLUDED = "接下来：帮扶责任人会上门和您一起定帮扶措施（一般10个工作日内定好，1个月内落实）。"
STEP_MEASURES_HEAD = "按您家的情况，可以找帮扶责任人申请："
STEP_MEASURE = "• {name}"
STEP_NOT_INCLUDED = "您报的困难（{case_id}）：县里审核后，这次<b>不纳入</b>监测。\n原因：{note}"
STEP_NEXT_NOT_INCLUDED = "家里情况再有变化，可以再报；有疑问请问村委会，或打全国防返贫监测帮扶热线 12317。"
STEP_RETURNED = (
    "您报的困难（{case_id}）：还需要补充材料：{note}\n准备好后交给村干部，再点下面的按钮告诉我们。"
)
STEP_WITHDRAWN = "您报的困难（{case_id}）已经撤回。"
STEP_NOTE = "\n说明：{note}"
STEP_BEHALF = "您代报的困难（{case_id}）：{status}。"
STEP_BEHALF_STATUS = {
    "village_verified": "村里已经入户核实",
    "township_reviewed": "乡镇已经审核",
    "included": "已经办结",
    "not_included": "已经办结",
    "returned": "村里需要补充材料，会直接联系这户人家",
    "withdrawn": "已经撤回",
}
STEP_FOOTER = "有问题请找帮扶责任人或村委会。发 /myreports 看全部进度。"
QUEUE_NEW = "📥 新的待办：{village}{category}{urgent}（{case_id}），请在{due}前办理。发 /cases 查看。"
DIGEST_HEAD = "早上好！{label}现在有<b>{waiting}</b>件申报等您办理，其中<b>{overdue}</b>件已超期："
DIGEST_MORE = "……还有{count}件，发 /cases 查看全部。"
DIGEST_FOOTER = "发 /cases 办理。"
DIGEST_STATUS = {
    "reported": "等入户核实",
    "village_verified": "等乡镇审核",
    "township_reviewed": "等县里确认",
}

SHORT_DATE = "{m}月{d}日"
