"""The bot's flows, one module each; `bot.app` registers their handlers.

- `common`: the guard (private chats, rate limit), /start /help /cancel, 重试, the error handler, fallbacks.
- `questions`: free text → the cited answer, 查看原文, 办理指南, 有用/没用.
- `check`: the /check eligibility interview (a persistent conversation).
- `bind`: /bind, binding a chat account to a household or a cadre account with a code and the own phone.
- `me`: a bound household's own status, payments, 帮扶责任人; /unbind.
- `cadre`: a cadre's lookups in their jurisdiction and binding codes.
- `report`: /report, a hardship report (防返贫 自主申报) step by step; /myreports.
- `cases`: /cases, a cadre's queue of reports and the steps on a case.
"""
