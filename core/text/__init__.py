"""Text utilities shared by ingestion, retrieval and answers: width and script normalisation, sentences, tokens.

What lives here: query and text normalisation (`normalize`), verbatim sentence spans (`sentences`) and the one
jieba tokenizer (`tokens`). The public names are re-exported here, so ``from core.text import tokenize`` works.

Example:
    >>> normalize_query("  醫療補貼　ＡＢＣ１２３？ ")
    '医疗补贴 ABC123？'
    >>> text = "第一条 申请。需要什么？\\n带身份证"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['第一条 申请。', '需要什么？', '带身份证']

opencc and jieba are loaded lazily on first use, never at import, so importing this package stays cheap.
"""

from core.text.normalize import normalize_query, to_halfwidth, to_simplified
from core.text.sentences import split_sentences
from core.text.tokens import STOP_WORDS, load_jieba, tokenize

__all__ = [
    "STOP_WORDS",
    "load_jieba",
    "normalize_query",
    "split_sentences",
    "to_halfwidth",
    "to_simplified",
    "tokenize",
]
