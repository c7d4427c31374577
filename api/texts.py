"""Plain-Chinese texts the API itself writes into responses, in one place for review by a Chinese reader.

Error details from the domain come with their exceptions; OpenAPI descriptions are for developers (English).
"""

from __future__ import annotations

# The detail of a 500: nothing of the error itself reaches the caller (it is logged with the request id).
INTERNAL_ERROR = "服务出了点问题，请稍后再试。"
# The detail of a 429; {seconds} is the Retry-After value.
RATE_LIMITED = "请求太频繁，请 {seconds} 秒后再试。"
