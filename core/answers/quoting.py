"""Citation quoting for plain-text replies: an answer with its [n] markers, then one footnote per citation.

Each footnote quotes the cited clause from where the answer quotes it verbatim (else from the clause's first
words after its headings), folded to one line and cut near `QUOTE_CHARS` at a sentence or clause end::

    reply_content(answer)
    # '…补助1.5万元。[1]\n\n[1] 《青禾县农村低收入群体住房安全保障实施办法》（青政办〔2023〕12号） 第五条：“…”'

`content_pieces` splits such a reply into sentences and lines for streaming, markers kept with their sentence.
"""

from __future__ import annotations

import re

from core.answers import texts
from core.answers.compose import Answer
from core.knowledge.models import Citation

QUOTE_CHARS = 80

_SENTENCE_END = "。！？；"
_CLAUSE_END = "，、："
_SECTION_SEP = " › "  # as ingest's chunker joins a section path
_MARKER = re.compile(r"\[(\d+)\]")
# Stream pieces end after a sentence end — not before its [n] marker, a closing bracket or the line's end — or
# after a line break (a run of them), so markers stay with their sentence and blank lines with the line before.
_PIECE_END = re.compile(r"(?<=[。！？；])(?![\[”’」』）)\n])|(?<=\n)(?!\n)")


def reply_content(answer: Answer) -> str:
    """The reply: the answer, then a blank line and the footnotes (none on abstention)."""
    notes = footnotes(answer.answer, answer.citations)
    return answer.answer + ("\n\n" + "\n".join(notes) if notes else "")


def footnotes(answer: str, citations: list[Citation]) -> list[str]:
    """One footnote line per citation: `[n] 《title》（文号） section：“quote”`."""
    return [
        texts.FOOTNOTE.format(
            n=c.n,
            title=c.title,
            doc_number=texts.FOOTNOTE_DOC_NUMBER.format(doc_number=c.doc_number) if c.doc_number else "",
            section=texts.FOOTNOTE_SECTION.format(section=c.section) if c.section else "",
            quote=quote(c, answer),
        )
        for c in citations
    ]


def quote(citation: Citation, answer: str) -> str:
    """The cited passage for a footnote: from the passage the answer quotes verbatim with this citation's
    marker, else from the start of the clause (after its heading); lines folded, cut near QUOTE_CHARS with …."""
    text = citation.text
    body = _body_start(text, citation.section)
    start = body
    parts = _MARKER.split(answer)  # [text, n, text, n, …, text]: each text is what the marker after it backs
    for said, n in zip(parts[0::2], parts[1::2], strict=False):
        if int(n) != citation.n:
            continue
        at = _verbatim_at(text, said)
        if at is not None:
            start = max(at, body)
            break
    folded = _fold(text[start:])
    lead = texts.ELLIPSIS if start > body else ""
    if len(folded) <= QUOTE_CHARS:
        return lead + folded
    end = QUOTE_CHARS
    for marks in (_SENTENCE_END, _CLAUSE_END):  # cut after a sentence, else after a clause, else anywhere
        cut = max(folded.rfind(ch, 0, QUOTE_CHARS) for ch in marks)
        if cut >= QUOTE_CHARS // 2:
            end = cut + 1
            break
    return lead + folded[:end] + texts.ELLIPSIS


def content_pieces(content: str) -> list[str]:
    """The content split after sentences and lines, for streaming; the pieces join back to `content`."""
    return [p for p in _PIECE_END.split(content) if p]


def _verbatim_at(text: str, said: str) -> int | None:
    """Where the longest run of last lines of `said` occurs verbatim in `text` (the answer's lines before a
    quoted passage, such as 政策原文：, are not in the clause)."""
    lines = said.split("\n")
    for k in range(len(lines)):
        candidate = "\n".join(lines[k:]).strip()
        if len(candidate) >= 8 and (at := text.find(candidate)) >= 0:  # a passage, not a stray word
            return at
    return None


def _body_start(text: str, section: str | None) -> int:
    """Where the clause's own words begin: after the headings of its section path that open the text."""
    pos = 0
    for heading in (section or "").split(_SECTION_SEP):
        heading = heading.strip()
        rest = len(text) - len(text[pos:].lstrip())
        if heading and text.startswith(heading, rest):
            pos = rest + len(heading)
    if pos:  # a heading like "（一）补贴标准。" may end in punctuation of its own
        pos = len(text) - len(text[pos:].lstrip().lstrip(_SENTENCE_END + _CLAUSE_END + ".:"))
    return len(text) - len(text[pos:].lstrip())


def _fold(text: str) -> str:
    """Lines joined into one: directly after Chinese punctuation, else with a space."""
    out = re.sub(r"(?<=[，。！？；：、）」”])\s*\n\s*", "", text.strip())
    return re.sub(r"\s+", " ", out)
