"""Messages that ask nothing: a greeting, thanks, an acknowledgement, a goodbye.

A villager answers 好的, 谢谢 or 嗯 after an answer, or opens with 你好 / 在吗. Read as a follow-up, 好的 was
answered with a clause of the previous notice; asked first, 你好 was told the policy library has nothing. `reply`
recognises such a message when it is nothing else (after punctuation, emoji and particles such as 啊 呀 哈 啦 are
taken off) and gives a short reply that says what to do next; a message with anything more (谢谢 那要带啥材料) is a
question and is answered as one. A message of only emoji (👍) is a nod, one of only punctuation (？) asks what to
do. The conversation is left as it was, so the next follow-up still has its topic.

Example::

    reply("好的，谢谢！")    # texts.SMALLTALK_THANKS
    reply("谢谢 那要带啥材料")  # None: a question
"""

from __future__ import annotations

import re
import unicodedata

from core.answers import texts
from core.text import normalize_query

_GREETING = r"你们好|大家好|你好|您好|在吗|在不在|有人吗|哈喽|hello|hi|嗨|早上好|上午好|中午好|下午好|晚上好"
_THANKS = r"谢谢你|谢谢您|谢谢|谢了|多谢|感谢你|感谢您|感谢|辛苦了|辛苦|麻烦你了|麻烦您了|thankyou|thanks"
_OK = r"好的|好滴|好嘞|好|嗯|哦|噢|喔|行|中|可以|收到|明白|知道|晓得|懂|了解|清楚|okay|ok|对|是的|没问题"
_BYE = r"再见|拜拜|拜|bye|回头见"
MAX_CHARS = 16  # longer than this is never only politeness
_FILLER = re.compile(r"[\W_]+")
_PARTICLES = re.compile(r"[啊呀哈啦吧呢哦喔嘛哟的了]*")
# Longer phrases first within each kind; which kinds a message holds decides the reply.
_PHRASE = re.compile(rf"(?P<thanks>{_THANKS})|(?P<bye>{_BYE})|(?P<hello>{_GREETING})|(?P<ok>{_OK})")
_REPLIES = {
    "thanks": texts.SMALLTALK_THANKS,
    "bye": texts.SMALLTALK_BYE,
    "hello": texts.SMALLTALK_HELLO,
    "ok": texts.SMALLTALK_OK,
}


def reply(question: str) -> str | None:
    """The reply to a message that asks nothing, or None when it is a question (or anything else)."""
    raw = normalize_query(question).strip()
    text = _FILLER.sub("", raw.lower())
    if not text:
        if not raw:
            return None
        # 👍 or 🙏 alone is a nod; "？" or "。。。" alone asks what to do
        return (
            texts.SMALLTALK_OK if any(unicodedata.category(ch) == "So" for ch in raw) else texts.SMALLTALK_ASK
        )
    if len(text) > MAX_CHARS:
        return None
    kinds: set[str] = set()
    pos = 0
    while pos < len(text):
        match = _PHRASE.match(text, pos)
        if match is None:
            return None  # something else is said: a question
        kinds.add(str(match.lastgroup))
        pos = _PARTICLES.match(text, match.end()).end()  # type: ignore[union-attr]
    # thanks before goodbye before greeting before a bare 好的
    return next(_REPLIES[k] for k in _REPLIES if k in kinds)
