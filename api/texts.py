"""Plain-Chinese texts the API itself writes into responses, in one place for review by a Chinese reader.

Error details from the domain come with their exceptions; OpenAPI descriptions are for developers (English).
"""

from __future__ import annotations

# The detail of a 500: nothing of the error itself reaches the caller (it is logged with the request id).
INTERNAL_ERROR = "服务出了点问题，请稍后再试。"
# The detail of a 429; {seconds} is the Retry-After value.
RATE_LIMITED = "请求太频繁，请 {seconds} 秒后再试。"

# The workbench's sign-in page (api/routes/workbench.py), above the sign-in instructions.
SIGNIN_LINK_INCOMPLETE = "登录链接不完整，请在机器人里重新发送 /workbench。"
SIGNIN_LINK_USED = (
    "这个登录链接已经用过或已过期（10分钟内有效，只能用一次）。请在机器人里重新发送 /workbench。"
)
SIGNIN_OTHER_SITE = "请直接打开机器人发来的链接。"
SIGNIN_FORM_EXPIRED = "页面已过期，请重新输入。"
SIGNIN_NOT_ADMIN_KEY = "密钥不对，或者不是管理员密钥。"
