"""Sentence spans of Chinese policy text: verbatim [start, end) slices, so citations quote exactly.

Example:
    >>> text = "第一条 申请。需要什么？\\n带身份证"
    >>> [text[s:e] for s, e in split_sentences(text)]
    ['第一条 申请。', '需要什么？', '带身份证']
"""

from __future__ import annotations

# Sentence ends. ASCII !?; end a sentence only when followed by whitespace, the end, or a non-ASCII character
# (so a URL's "?id=1" does not split).
_SENTENCE_ENDS = frozenset("。！？；")
_ASCII_SENTENCE_ENDS = frozenset("!?;")
_CLOSERS = frozenset("」』”’）)】〕》\"'")


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
