"""The one tokenizer: jieba, initialised once, and the BM25 tokens of normalised text.

Everything that cuts Chinese into words (BM25 indexes, the relevance lexicon) takes jieba from `load_jieba`,
so the dictionary is loaded once per process, quietly and thread-safely, never at import.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from typing import Any

from core.text.normalize import normalize_query

# Words that carry no meaning for retrieval in villagers' questions or policy text.
_STOP_WORDS_TEXT = """
    的 地 得 了 着 过 和 与 及 或 是 在 吗 呢 啊 吧 呀 嘛 哦 哈 么 啦 嗯 噢 喔 哎
    我 我家 我们 咱 咱们 咱家 你 你们 您 他 她 它 他们 她们 自己
    这 那 这个 那个 这些 那些 这样 那样 什么 怎么 怎么样 怎样 如何 哪 哪里 哪些 为什么
    请问 一下 能不能 可不可以 可以 能 想 想要 要 会 就 也 都 还 又 吧 呗 啥 咋 咋办 怎么办
    """
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_jieba_lock = threading.Lock()
_jieba: Any = None


def load_jieba() -> Any:
    """The jieba module, imported and initialised once, quietly and thread-safely."""
    global _jieba
    if _jieba is not None:
        return _jieba
    with _jieba_lock:
        if _jieba is None:
            # jieba logs "Building prefix dict ..." at DEBUG on its own stderr handler.
            logging.getLogger("jieba").setLevel(logging.WARNING)
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba = jieba
    return _jieba


def _is_meaningful(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def tokenize(text: str) -> list[str]:
    """Tokens for BM25: jieba search-mode words of the normalised, lowercased text, minus punctuation and stop words."""
    normalized = normalize_query(text).lower()
    if not normalized:
        return []
    tokens: list[str] = []
    for raw in load_jieba().lcut_for_search(normalized):
        token = raw.strip()
        if token and _is_meaningful(token) and token not in STOP_WORDS:
            tokens.append(token)
    return tokens
