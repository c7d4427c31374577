"""Text utilities shared by ingestion, retrieval and answers: width and script normalisation, sentences, tokens.

Example:
    >>> normalize_query("  醫療補貼　ＡＢＣ１２３？ ")
    '医疗补贴 ABC123？'
    >>> text = "第一条 申请。需要什么？\\n带身份证"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['第一条 申请。', '需要什么？', '带身份证']

opencc and jieba are loaded lazily on first use, never at import, so importing this module stays cheap.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

logger = logging.getLogger(__name__)

# Full-width forms that are ordinary Chinese punctuation: a query or a citation keeps them as they are.
_KEEP_FULLWIDTH = frozenset("，！？：；（）")
_HALFWIDTH_TABLE: dict[int, int] = {
    cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _KEEP_FULLWIDTH
}
_HALFWIDTH_TABLE[0x3000] = 0x20  # ideographic space

# Sentence ends. ASCII !?; end a sentence only when followed by whitespace, the end, or a non-ASCII character
# (so a URL's "?id=1" does not split).
_SENTENCE_ENDS = frozenset("。！？；")
_ASCII_SENTENCE_ENDS = frozenset("!?;")
_CLOSERS = frozenset("」』”’）)】〕》\"'")

_WHITESPACE_RUN = re.compile(r"\s+")

# Words that carry no meaning for retrieval in villagers' questions or policy text.
_STOP_WORDS_TEXT = """
    的 地 得 了 着 过 和 与 及 或 是 在 吗 呢 啊 吧 呀 嘛 哦 哈 么 啦 嗯 噢 喔 哎
    我 我家 我们 咱 咱们 咱家 你 你们 您 他 她 它 他们 她们 自己
    这 那 这个 那个 这些 那些 这样 那样 什么 怎么 怎么样 怎样 如何 哪 哪里 哪些 为什么
    请问 一下 能不能 可不可以 可以 能 想 想要 要 会 就 也 都 还 又 吧 呗 啥 咋 咋办 怎么办
    """
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def to_halfwidth(s: str) -> str:
    """Convert full-width ASCII letters, digits and symbols to half-width; keep Chinese punctuation."""
    return s.translate(_HALFWIDTH_TABLE)


@functools.lru_cache(maxsize=1)
def _t2s_converter() -> Any:
    import opencc  # lazy: loads its dictionaries on first use

    return opencc.OpenCC("t2s")


def to_simplified(s: str) -> str:
    """Convert traditional Chinese characters to simplified (OpenCC t2s)."""
    if not s:
        return s
    return str(_t2s_converter().convert(s))


def normalize_query(s: str) -> str:
    """Normalise user text: half-width, single spaces, stripped, simplified characters."""
    s = unicodedata.normalize("NFC", s)
    s = to_halfwidth(s)
    s = _WHITESPACE_RUN.sub(" ", s).strip()
    return to_simplified(s)


def _is_ascii_sentence_end(text: str, i: int) -> bool:
    if text[i] not in _ASCII_SENTENCE_ENDS:
        return False
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return nxt == "" or nxt.isspace() or ord(nxt) > 0x7F


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return [start, end) spans of the sentences of `text`, each trimmed of surrounding whitespace.

    A sentence ends after 。！？； (with any closing quotes or brackets that follow) or at a newline.
    `text[start:end]` is the sentence verbatim; spans are in order, disjoint and cover every non-whitespace
    character.
    """
    spans: list[tuple[int, int]] = []
    n = len(text)

    def emit(start: int, end: int) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append((start, end))

    start = 0
    i = 0
    while i < n:
        ch = text[i]
        if ch == "\n":
            emit(start, i)
            start = i = i + 1
            continue
        if ch in _SENTENCE_ENDS or _is_ascii_sentence_end(text, i):
            j = i + 1
            while j < n and (text[j] in _SENTENCE_ENDS or text[j] in _ASCII_SENTENCE_ENDS):
                j += 1
            while j < n and text[j] in _CLOSERS:
                j += 1
            emit(start, j)
            start = i = j
            continue
        i += 1
    emit(start, n)
    return spans


_jieba_lock = threading.Lock()
_jieba_cut: Callable[[str], list[str]] | None = None


def _jieba_cut_for_search() -> Callable[[str], list[str]]:
    """Import and initialise jieba once, quietly and thread-safely; return its search-mode cutter."""
    global _jieba_cut
    if _jieba_cut is not None:
        return _jieba_cut
    with _jieba_lock:
        if _jieba_cut is None:
            # jieba logs "Building prefix dict ..." at DEBUG on its own stderr handler.
            logging.getLogger("jieba").setLevel(logging.WARNING)
            import jieba

            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            _jieba_cut = jieba.lcut_for_search
    return _jieba_cut


def _is_meaningful(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def tokenize(text: str) -> list[str]:
    """Tokens for BM25: jieba search-mode words of the normalised, lowercased text, minus punctuation and stop words."""
    normalized = normalize_query(text).lower()
    if not normalized:
        return []
    cut = _jieba_cut_for_search()
    tokens: list[str] = []
    for raw in cut(normalized):
        token = raw.strip()
        if token and _is_meaningful(token) and token not in STOP_WORDS:
            tokens.append(token)
    return tokens
