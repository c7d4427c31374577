"""Every user-facing text of the Telegram bot, in plain simplified Chinese, for review by a Chinese reader.

Texts are Telegram HTML: the tags here are ours; every `{placeholder}` is filled by `bot.render.fmt`, which
escapes the value, so document text, names and questions can never inject markup.
"""

from __future__ import annotations

# -- /start, /help, menus ----------------------------------------------------------------------------------
START = (
    "您好！我是<b>帮扶通</b>，帮您弄明白防返贫、帮扶政策的小助手。\n"
    "\n"
    "我能帮您：\n"
    "• <b>问政策</b>：直接打字问，比如“我家房子漏雨能修吗”。回答里的[1][2]是出处，点“查看原文”就能看政策原文。\n"
    "• <b>查资格</b>：点按钮回答几个问题，看看您家能申请哪些帮扶。\n"
    "• <b>我的帮扶</b>：绑定您家以后，查帮扶措施、补贴到没到账、帮扶责任人是谁。\n"
    "• <b>家里遇到难处</b>：生病、受灾、出意外、没了收入，在这里向村里申报，每一步办到哪都会告诉您。\n"
    "\n"
    "<b>隐私说明</b>：问政策不用留任何个人信息，请不要在聊天里发身份证号。"
    "只有您用村干部给的绑定码、再分享本人手机号绑定以后，我才给您看您家自己的信息，别人看不到；"
    "身份证号和手机号只加密、打码保存，谁看过都有记录。想解除绑定，随时发 /unbind。"
)
MENU_ASK = "问政策"
MENU_CHECK = "查资格"
MENU_ME = "我的帮扶"
MENU_HELP = "帮助"
MENU_REPORT = "家里遇到难处"

ASK_PROMPT = (
    "请直接打字把问题发给我，一句话就行，比如：\n"
    "• 我家房子漏雨能修吗\n"
    "• 小额信贷怎么申请\n"
    "• 孩子上高中有补助吗"
)

HELP = (
    "<b>怎么用帮扶通</b>\n"
    "• 直接打字：问政策\n"
    "• /check 查资格：看看能申请哪些帮扶\n"
    "• /bind 绑定我家：要有村干部给的绑定码\n"
    "• /status 我的帮扶：我家的帮扶情况\n"
    "• /payments 我的补贴：钱到没到账，也可以写上项目，比如 /payments 产业补贴\n"
    "• /helper 我的帮扶责任人\n"
    "• /report 家里遇到难处：向村里申报\n"
    "• /myreports 我报的困难办到哪了\n"
    "• /unbind 解除绑定\n"
    "• /cancel 取消正在做的事\n"
    "\n"
    "村干部绑定干部账号以后还可以用：\n"
    "• /search 姓名或户编号：查户\n"
    "• /households 我负责的农户\n"
    "• /household 户编号：看一户的情况\n"
    "• /code 户编号：给这一户生成绑定码\n"
    "• /cases 等我办理的困难申报\n"
    "\n"
    "拿不准的事，请问您的帮扶责任人或村委会，也可以打全国防返贫监测帮扶热线 12317。"
)

# The command menu (set_my_commands): command → short description.
COMMANDS = (
    ("start", "开始，看看我能做什么"),
    ("check", "查资格：能申请哪些帮扶"),
    ("status", "我的帮扶：我家的帮扶情况"),
    ("payments", "我的补贴：钱到没到账"),
    ("helper", "我的帮扶责任人"),
    ("report", "家里遇到难处：申报"),
    ("myreports", "我报的困难办到哪了"),
    ("bind", "绑定我家"),
    ("unbind", "解除绑定"),
    ("help", "帮助"),
    ("cancel", "取消正在做的事"),
)
CADRE_COMMANDS = (
    ("search", "干部：按姓名或户编号查户"),
    ("households", "干部：我负责的农户"),
    ("household", "干部：看一户的情况"),
    ("code", "干部：给一户生成绑定码"),
    ("cases", "干部：等我办理的困难申报"),
    ("workbench", "干部：打开县级工作台（网页）"),
)

# -- answers -------------------------------------------------------------------------------------------------
SOURCES_HEAD = "<b>出处</b>"
SOURCE_LINE = "{marks} {title}{doc_number}"
SOURCE_DOC_NUMBER = "（{doc_number}）"
SOURCE_BUTTON = "查看原文[{n}]"
CARD_BUTTON = "办理指南：{name}"
# Under a "which measure do you mean?" answer: one button per measure offered; {name} is the measure's name.
CLARIFY_BUTTON = "问“{name}”"
FEEDBACK_YES = "👍 有用"
FEEDBACK_NO = "👎 没用"
FEEDBACK_THANKS = "谢谢您的反馈！"
FEEDBACK_SORRY = "谢谢，我们会改进。拿不准的可以问帮扶责任人。"
ABSTAIN_HINT = "您也可以换个说法再问一次，或者发 /check 查查能申请哪些帮扶。"
QUESTION_TOO_LONG = "问题太长了，请控制在500字以内，简单说说想问什么。"
NOT_TEXT = "我现在只能看懂文字，请打字提问。"

PASSAGE_TITLE = "<b>{title}</b>"
PASSAGE_DOC_NUMBER = "文号：{doc_number}"
PASSAGE_ISSUER = "发文单位：{issuer}"
PASSAGE_SECTION = "条款：{section}"
PASSAGE_QUOTE = "<blockquote>{text}</blockquote>"
PASSAGE_EXPIRED = "⚠️ 这份文件已经不在有效期内，仅供参考，请以现行政策为准。"
PASSAGE_GONE = "这条回答时间太久了，原文已经找不到了。请把问题再发一次。"

CARD_TITLE = "<b>{name}</b>"
CARD_AMOUNT = "补多少：{amount}"
CARD_STEPS_HEAD = "怎么办："
CARD_STEP = "{i}. {step}"
CARD_MATERIALS = "带什么：{materials}"
CARD_DEPARTMENT = "找谁：{department}"
CARD_CONTACT = "电话：{contact}"
CARD_TIME = "多长时间：{time_limit}"

# -- /check ----------------------------------------------------------------------------------------------------
CHECK_INTRO = "好的，我问您几个问题，点按钮回答就行。不清楚的可以点“不清楚，先看结果”。"
CHECK_QUESTION = "<b>第{i}题</b>：{question}"
CHECK_ANSWERED = "第{i}题：{question}\n✓ {answer}"
CHECK_TYPE_NUMBER = "请直接发一个数字，比如 45。"
CHECK_USE_BUTTONS = "请点上面题目下面的按钮回答；不清楚可以点“不清楚，先看结果”。"
CHECK_STOP = "不清楚，先看结果"
CHECK_TICKED = "☑ {label}"
CHECK_UNTICKED = "☐ {label}"
CHECK_DONE = "选好了"
CHECK_NONE_TICKED = "都没有"
CHECK_TICKED_SEP = "；"
CHECK_RESULT_HEAD = "<b>查资格结果</b>（根据您的回答，仅供参考）"
CHECK_RESULT_HEAD_RECORD = "<b>查资格结果</b>（根据您的回答和您家档案，仅供参考）"
CHECK_ELIGIBLE_HEAD = "✅ <b>可以申请</b>（{count}项）"
CHECK_NEED_INFO_HEAD = "❓ <b>还要再确认</b>（{count}项）"
CHECK_INELIGIBLE_HEAD = "✖️ <b>暂不符合</b>（{count}项）"
CHECK_ITEM = "• <b>{name}</b>：{reasons}"
CHECK_ITEM_NO_REASON = "• <b>{name}</b>"
# An eligible measure: what it gives first, then why it fits. {gives} is one of the CHECK_GIVES* lines.
CHECK_ITEM_GIVES = "• <b>{name}</b>：{gives}"
CHECK_ITEM_WHY = "　{reasons}"
# Conditions the office checks when the household applies (起步规模, 连续务工3个月 …), which were not asked.
CHECK_ITEM_CONFIRM = "　申请时还要核实：{items}"
CHECK_GIVES = "可以申请，{amount}"  # 可以申请，每月90元
CHECK_GIVES_TEXT = "可以申请。{amount}"  # the catalog's own words, when it states no single number
CHECK_GIVES_NOTHING = "可以申请"
# An amount from the API's amount_value {value, unit "元/月", bound}: {per} 每月, {number} 90, {currency} 元.
AMOUNT_EXACT = "{per}{number}{currency}"
AMOUNT_UP_TO = "{per}最多{number}{currency}"
AMOUNT_FROM = "{per}{number}{currency}起"
AMOUNT_PER = {
    "月": "每月",
    "年": "每年",
    "学期": "每学期",
    "天": "每天",
    "次": "每次",
    "户": "每户",
    "人": "每人",
    "亩": "每亩",
    "只": "每只",
    "单": "每单",
}
CHECK_REASON_SEP = "；"
CHECK_FOOTER = (
    "能不能办，最后以村里评议和部门审核为准。想办理，请找帮扶责任人或村委会；点下面的按钮看办理指南。"
)
CHECK_EXPIRED = "这道题已经过期了，发 /check 重新开始。"
CHECK_RESUME = "继续查资格"
# {note} is the API's plain note of what the household's record says ("按您家档案，已知：…").
CHECK_PREFILLED = "📋 {note}\n这些就不再问了。档案不对的话，点“{button}”，每一项都问您。"
CHECK_FRESH_BUTTON = "档案不对，我自己回答"
CHECK_FRESH = "好的，不按档案，每一项都问您。"

# -- /bind -------------------------------------------------------------------------------------------------------
BIND_ASK_CODE = "请输入村干部给您的8位绑定码（字母和数字，不分大小写）。\n不想绑定了发 /cancel。"
BIND_CODE_FORMAT = "绑定码是8位字母和数字，比如 K7M2Q9PX。请再输入一次，或发 /cancel 取消。"
BIND_ASK_PHONE = "收到。为了确认是您本人，请点下面的<b>“分享我的手机号”</b>按钮。\n手机号要和村里登记的一致。"
BIND_SHARE_BUTTON = "📱 分享我的手机号"
BIND_CANCEL_BUTTON = "取消"
BIND_NOT_OWN = "这不是您本人的手机号。请点下面的“分享我的手机号”按钮，分享您自己的号码。"
BIND_PRESS_BUTTON = "请点下面的“分享我的手机号”按钮，不用自己打字。"
BIND_OK_HOUSEHOLD = (
    "绑定成功！您的账号已经和户编号 {household_no} 绑定。\n"
    "发 /status 看我家的帮扶情况，发 /payments 看补贴到没到账。"
)
BIND_OK_CADRE = (
    "绑定成功！您的干部账号（{label}）已经可以用了。\n"
    "发 /search 加姓名或户编号查户，发 /households 看您负责的农户。"
)
BIND_NO_MATCH = (
    "绑定码或手机号对不上。请核对绑定码后重新输入（注意字母O和数字0、字母I和数字1不要弄混），"
    "或发 /cancel 取消。"
)
BIND_CODE_DEAD = "这个绑定码已经过期或者已经用过了。请找村干部重新要一个绑定码，再发 /bind。"
BIND_BAD_PHONE = "这个手机号没法用来绑定。请找村干部核实村里登记的手机号。"
BIND_LOCKED = "输错的次数太多了，为了安全，请过{minutes}分钟再试。一直不成功的话，请找村干部核实。"
CONTACT_OUTSIDE_BIND = "要绑定您家，请先发 /bind，再输入村干部给的绑定码。"
CANCELLED = "好的，已取消。"

# -- my household ---------------------------------------------------------------------------------------------------
NOT_BOUND = "您还没有绑定您家。请向村干部或帮扶责任人要一个绑定码，然后发 /bind 绑定。"
IS_CADRE = "您绑定的是干部账号，没有自己的户信息。查农户请发 /search 加姓名或户编号。"
ME_BUTTONS_PAYMENTS = "我的补贴"
ME_BUTTONS_HELPER = "帮扶责任人"
HELPER = "您的帮扶责任人：<b>{name}</b>\n电话：{phone}\n有事可以直接打电话找他（她）。"
HELPER_NO_PHONE = "您的帮扶责任人：<b>{name}</b>\n系统里没有登记电话，请问村委会。"
HELPER_UNKNOWN = "系统里还没有登记您的帮扶责任人，请问村委会。"
PAYMENTS_LIST_HEAD = "<b>全部发放明细</b>（{count}笔）"
PAYMENT_LINE = "{date}　{item}　{amount}元（{channel}）"
UNBIND_CONFIRM = "解除绑定以后，就不能在这里查您家的信息了；要再绑定，得找村干部要新的绑定码。确定要解除吗？"
UNBIND_YES = "确定解除"
UNBIND_NO = "不解除了"
UNBIND_OK = "已解除绑定。"
UNBIND_NONE = "您本来就没有绑定。"
UNBIND_KEPT = "好的，没有解除。"

# -- cadres -----------------------------------------------------------------------------------------------------------
CADRE_ONLY = "这个功能只有绑定了干部账号的村干部能用。"
# /workbench: {url} is the single-use sign-in link (already HTML-escaped), valid {minutes} minutes.
WORKBENCH_LINK = (
    "点下面的链接进入县级工作台（{minutes}分钟内有效，只能用一次，请不要转发给别人）：\n{url}\n"
    "用电脑办公的，可以把链接发到电脑上打开。"
)
SEARCH_USAGE = "请在 /search 后面加上户主姓名、户编号或身份证后4位，比如：/search 王海燕"
HOUSEHOLD_USAGE = "请在 /household 后面加户编号，比如：/household 99000101010001"
CODE_USAGE = "请在 /code 后面加户编号，比如：/code 99000101010001"
SEARCH_NONE = "在您负责的范围里没有找到“{query}”。"
SEARCH_HEAD = "找到{count}户："
HOUSEHOLDS_HEAD = "您负责的农户，共{total}户（第{page}/{pages}页）："
HOUSEHOLD_LINE = "• {household_no} {head_name}（{place}，{household_type}{risk}，{size}口人）"
HOUSEHOLD_RISK = "，{risk}"
VIEW_BUTTON = "查看 {household_no}"
NEXT_PAGE = "下一页"
CODE_BUTTON = "生成绑定码"
HOUSEHOLD_NOT_FOUND = "没有找到这一户，或者这一户不在您负责的范围里。"
VIEW_HEAD = "<b>户编号 {household_no}</b>\n户主{head_name}，{place}，{household_type}{risk}，{size}口人（数据截至{as_of}）"
VIEW_MEMBERS_HEAD = "<b>家庭成员</b>"
VIEW_MEMBER = "• {name}（{details}）"
VIEW_MEASURES_HEAD = "<b>{year}年帮扶措施</b>"
VIEW_MEASURE = "• {name}：{content}（{status}）"
VIEW_PAYMENTS = "发放记录{count}笔，合计{total}元。"
VIEW_HELPER = "帮扶责任人：{name}"
CODE_ISSUED = (
    "户编号 {household_no} 的绑定码：<code>{code}</code>\n"
    "{expires}前有效，只能用一次。\n"
    "请当面交给户主或家里人，让他给我发 /bind 绑定。不要发到群里。"
)

# -- errors and limits ------------------------------------------------------------------------------------------------
API_DOWN = "系统正忙或者暂时连不上，您的消息没有丢。请稍等一会儿，再点“重试”。"
API_DOWN_NO_RETRY = "系统正忙或者暂时连不上，请稍等一会儿再发一次。"
RETRY_BUTTON = "🔄 重试"
API_RATE_LIMITED = "操作太频繁了，请过{minutes}分钟再试。"
SLOW_DOWN = "您发得有点快，请歇一会儿（大约一分钟）再发。"
INVALID_INPUT = "您发的内容我处理不了，请换个说法再试。"
NOT_FOUND = "没有找到您要的内容，可能已经更新了，请重新查一次。"
GENERIC_ERROR = "出了点小问题，请稍后再试。"
PRIVATE_ONLY = "为了保护大家的隐私，请私聊我使用。"
BUTTON_EXPIRED = "这个按钮已经过期了，请重新发一次。"
NOTHING_TO_CANCEL = "现在没有要取消的事。"

# -- formats ------------------------------------------------------------------------------------------------------------
DATE = "{y}年{m}月{d}日"
DATETIME = "{y}年{m}月{d}日{hh}:{mm}"
LIST_SEP = "、"
AGE = "{age}岁"
YUAN = "{amount}"
