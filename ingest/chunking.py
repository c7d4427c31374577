"""Structure-aware chunking of Chinese policy text.

A notice is laid out with headings on their own line (第X章, 一、, （一）, 1., （1）) or articles that start a
line (第X条 ……). Chunks follow that structure: they start at headings, never cross a chapter, article or
top-level section boundary, pack whole sentences up to `max_chars`, and carry the section path above them.

Example:
    >>> text = "第一章 总则\\n第一条 为了规范工作，制定本办法。\\n第二条 本办法适用于本县。"
    >>> [(c.text, c.section) for c in chunk_text(text)]
    [('第一章 总则\\n第一条 为了规范工作，制定本办法。', '第一章 总则 › 第一条'), ('第二条 本办法适用于本县。', '第一章 总则 › 第二条')]

Every chunk is a verbatim slice: ``chunk.text == text[chunk.start:chunk.end]``.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass

from core.text import split_sentences

logger = logging.getLogger(__name__)

SECTION_SEPARATOR = " › "
LABEL_MAX_CHARS = 20
TINY_CHUNK_CHARS = 40

_CN_DIGITS = "零〇一二三四五六七八九十百千两"
_NUM = rf"[{_CN_DIGITS}0-9０-９]+"

# Heading ranks: smaller is higher. Articles (条) sit below chapters and sections and above the enumerations.
RANK_PART = 0
RANK_CHAPTER = 1
RANK_SECTION = 2
RANK_ARTICLE = 3
RANK_ENUM_CN = 4  # 一、
RANK_ENUM_CN_PAREN = 5  # （一）
RANK_ENUM_DIGIT = 6  # 1. 1、
RANK_ENUM_DIGIT_PAREN = 7  # （1）

_HEADING_PATTERNS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (RANK_PART, re.compile(rf"第{_NUM}[编篇]")),
    (RANK_CHAPTER, re.compile(rf"第{_NUM}章")),
    (RANK_SECTION, re.compile(rf"第{_NUM}节")),
    (RANK_ARTICLE, re.compile(rf"第{_NUM}条(?:之[{_CN_DIGITS}]+)?")),
    (RANK_ENUM_CN, re.compile(r"[一二三四五六七八九十百]+、")),
    (RANK_ENUM_CN_PAREN, re.compile(r"[（(][一二三四五六七八九十百]+[）)]")),
    (RANK_ENUM_DIGIT, re.compile(r"[0-9０-９]{1,2}[.．、](?![0-9０-９])")),
    (RANK_ENUM_DIGIT_PAREN, re.compile(r"[（(][0-9０-９]{1,2}[）)]")),
)
# Markdown emphasis or heading marks some sources put in front of a heading.
_LEADING_MARKUP = re.compile(r"(?:#{1,6}\s+|\*\*|__)")
_SENTENCE_END_CHARS = frozenset("。！？；!?;")
_LABEL_CUT = re.compile(r"[，。；：！？,;:!?]")
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}])")
_WHITESPACE_RUN = re.compile(r"\s+")
_CLAUSE_ENDS = frozenset("，、：,:")


@dataclass(frozen=True)
class Chunk:
    """A verbatim slice [start, end) of a document's text with the section path above it."""

    text: str
    start: int
    end: int
    section: str | None


@dataclass(frozen=True)
class _Line:
    start: int
    end: int
    rank: int | None
    heading_only: bool
    path: tuple[str, ...]


@dataclass(frozen=True)
class _Unit:
    """A sentence (or a piece of an over-long sentence): the smallest thing a chunk is packed from."""

    start: int
    end: int
    path: tuple[str, ...]
    heading_rank: int | None  # set when the unit opens a heading line
    hard: bool  # a heading that must start a new chunk
    heading_only: bool  # the unit is a whole heading line with no content (e.g. "第一章 总则")


def _clean_label_text(s: str) -> str:
    return _WHITESPACE_RUN.sub(" ", _SPACE_BETWEEN_CJK.sub("", s)).strip()


def _match_heading(line: str) -> tuple[int, str, str] | None:
    """Return (rank, marker, rest of line) when a stripped line opens with a heading marker."""
    body = line
    markup = _LEADING_MARKUP.match(body)
    if markup:
        body = body[markup.end() :].lstrip()
    for rank, pattern in _HEADING_PATTERNS:
        m = pattern.match(body)
        if m:
            rest = body[m.end() :].strip().strip("*_").strip()
            return rank, m.group(0), rest
    return None


def is_heading_line(line: str) -> bool:
    """True when a line opens with a heading marker (第X章/节/条, 一、, （一）, 1., （1）)."""
    return _match_heading(line.strip()) is not None


def _heading_label(rank: int, marker: str, rest: str) -> str:
    """Short name of a heading for the section path: "第五条", "第二章 申请条件", "（一）产业帮扶"."""
    marker = _WHITESPACE_RUN.sub("", marker)
    if rank == RANK_ARTICLE:
        return marker
    rest = _clean_label_text(rest)
    cut = _LABEL_CUT.search(rest)
    head = rest[: cut.start()] if cut else rest
    sep = " " if rank <= RANK_SECTION and head else ""
    label = f"{marker}{sep}{head}"
    if len(label) > LABEL_MAX_CHARS:
        label = label[:LABEL_MAX_CHARS].rstrip() + "…"
    return label


def _is_heading_only(rank: int, rest: str, stripped: str) -> bool:
    """True for a heading line that has no content of its own (it names the section below it)."""
    if rank == RANK_ARTICLE:
        return not rest
    return len(stripped) <= 40 and not any(ch in _SENTENCE_END_CHARS for ch in stripped)


def _scan_lines(text: str) -> list[_Line]:
    """Split text into non-blank lines, detect headings and give each line its section path."""
    lines: list[_Line] = []
    stack: list[tuple[int, str]] = []
    offset = 0
    for raw in text.split("\n"):
        line_start, line_end = offset, offset + len(raw)
        offset = line_end + 1
        while line_start < line_end and text[line_start].isspace():
            line_start += 1
        while line_end > line_start and text[line_end - 1].isspace():
            line_end -= 1
        if line_start == line_end:
            continue
        stripped = text[line_start:line_end]
        found = _match_heading(stripped)
        rank: int | None = None
        heading_only = False
        if found is not None:
            rank, marker, rest = found
            # Inside an article, 一、（一）1. are the article's items, not sections.
            if rank > RANK_ARTICLE and stack and stack[-1][0] == RANK_ARTICLE:
                rank = None
            else:
                heading_only = _is_heading_only(rank, rest, stripped)
                while stack and stack[-1][0] >= rank:
                    stack.pop()
                stack.append((rank, _heading_label(rank, marker, rest)))
        lines.append(
            _Line(
                start=line_start,
                end=line_end,
                rank=rank,
                heading_only=heading_only,
                path=tuple(lbl for _, lbl in stack),
            )
        )
    return lines


def _hard_ranks(lines: list[_Line]) -> frozenset[int]:
    """Chapters, sections, articles and the two highest enumeration levels present are hard boundaries."""
    enum_ranks = sorted({ln.rank for ln in lines if ln.rank is not None and ln.rank > RANK_ARTICLE})
    return frozenset({RANK_PART, RANK_CHAPTER, RANK_SECTION, RANK_ARTICLE, *enum_ranks[:2]})


def _split_long(text: str, start: int, end: int, max_chars: int) -> list[tuple[int, int]]:
    """Split an over-long sentence at commas (，、：), else hard at max_chars; pieces trimmed of whitespace."""
    pieces: list[tuple[int, int]] = []
    cur = start
    while end - cur > max_chars:
        window_end = cur + max_chars
        cut = next((i + 1 for i in range(window_end - 1, cur, -1) if text[i] in _CLAUSE_ENDS), None)
        if cut is None or cut <= cur:
            cut = window_end
        pieces.append((cur, cut))
        cur = cut
        while cur < end and text[cur].isspace():
            cur += 1
    pieces.append((cur, end))
    trimmed: list[tuple[int, int]] = []
    for s, e in pieces:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed


def _units(text: str, lines: list[_Line], max_chars: int) -> list[_Unit]:
    hard = _hard_ranks(lines)
    line_starts = [ln.start for ln in lines]
    units: list[_Unit] = []
    for s_start, s_end in split_sentences(text):
        line = lines[bisect.bisect_right(line_starts, s_start) - 1]
        opens_heading = line.rank is not None and s_start == line.start
        pieces = (
            [(s_start, s_end)]
            if s_end - s_start <= max_chars
            else _split_long(text, s_start, s_end, max_chars)
        )
        for k, (p_start, p_end) in enumerate(pieces):
            first = k == 0 and opens_heading
            units.append(
                _Unit(
                    start=p_start,
                    end=p_end,
                    path=line.path,
                    heading_rank=line.rank if first else None,
                    hard=first and line.rank in hard,
                    heading_only=first and line.heading_only and (p_start, p_end) == (line.start, line.end),
                )
            )
    return units


@dataclass
class _Draft:
    units: list[_Unit]
    by_overflow: bool  # started because the previous chunk was full, so it continues the same section

    @property
    def start(self) -> int:
        return self.units[0].start

    @property
    def end(self) -> int:
        return self.units[-1].end


def _is_lead_in(units: list[_Unit]) -> bool:
    """Bare headings, or a tiny preamble such as the document's title line, belong to the chunk below them."""
    if not all(u.heading_only or not u.path for u in units):
        return False
    preamble = [u for u in units if not u.path]
    return not preamble or preamble[-1].end - preamble[0].start < TINY_CHUNK_CHARS


def _pack(units: list[_Unit], max_chars: int) -> list[_Draft]:
    soft_min = max_chars // 3
    grace = int(max_chars * 1.25)
    drafts: list[_Draft] = []
    cur: list[_Unit] = []
    by_overflow = False
    for unit in units:
        if cur:
            lead_in = _is_lead_in(cur)
            size = cur[-1].end - cur[0].start
            new_chunk = overflow = False
            if unit.heading_rank is not None:
                if lead_in:
                    # A bare heading joins the chunk below it only when that chunk is inside its section.
                    last_path = cur[-1].path
                    new_chunk = unit.path[: len(last_path)] != last_path
                elif unit.hard or size >= soft_min:
                    new_chunk = True
                elif by_overflow and size < TINY_CHUNK_CHARS and cur[-1].end - drafts[-1].start <= grace:
                    # The tiny rest of the sentences before this sub-heading goes back to its own chunk.
                    drafts[-1].units.extend(cur)
                    cur, by_overflow = [], False
            if cur and not new_chunk:
                limit = grace if lead_in else max_chars
                if unit.end - cur[0].start > limit:
                    new_chunk = overflow = True
            if new_chunk:
                drafts.append(_Draft(cur, by_overflow))
                cur, by_overflow = [], overflow
        cur.append(unit)
    if cur:
        drafts.append(_Draft(cur, by_overflow))
    return _merge_tiny_tails(drafts, max_chars)


def _merge_tiny_tails(drafts: list[_Draft], max_chars: int) -> list[_Draft]:
    """Fold a tiny last piece of a section into the chunk before it when the result stays near max_chars."""
    grace = int(max_chars * 1.25)
    merged: list[_Draft] = []
    for i, draft in enumerate(drafts):
        is_tail = i + 1 == len(drafts) or not drafts[i + 1].by_overflow
        if (
            merged
            and draft.by_overflow
            and is_tail
            and draft.end - draft.start < TINY_CHUNK_CHARS
            and draft.end - merged[-1].start <= grace
        ):
            merged[-1] = _Draft(merged[-1].units + draft.units, merged[-1].by_overflow)
        else:
            merged.append(draft)
    return merged


def _section(units: list[_Unit]) -> str | None:
    """The path shared by the chunk's content, ignoring bare headings and preamble lines that open it."""
    first = 0
    while first < len(units) - 1 and (units[first].heading_only or not units[first].path):
        first += 1
    considered = units[first:]
    prefix = list(considered[0].path)
    for unit in considered[1:]:
        n = 0
        while n < len(prefix) and n < len(unit.path) and prefix[n] == unit.path[n]:
            n += 1
        del prefix[n:]
    return SECTION_SEPARATOR.join(prefix) if prefix else None


def chunk_text(text: str, *, max_chars: int = 360, overlap_sentences: int = 0) -> list[Chunk]:
    """Split a document's text into verbatim, structure-aware chunks of whole sentences."""
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    if overlap_sentences < 0:
        raise ValueError("overlap_sentences must not be negative")
    lines = _scan_lines(text)
    if not lines:
        return []
    drafts = _pack(_units(text, lines, max_chars), max_chars)
    chunks: list[Chunk] = []
    previous: _Draft | None = None
    for draft in drafts:
        start = draft.start
        # Overlap only repeats sentences of the same section (the previous chunk ran out of room).
        if overlap_sentences and previous is not None and draft.by_overflow:
            start = previous.units[-min(overlap_sentences, len(previous.units))].start
        chunks.append(
            Chunk(text=text[start : draft.end], start=start, end=draft.end, section=_section(draft.units))
        )
        previous = draft
    logger.debug("chunked %d characters into %d chunks", len(text), len(chunks))
    return chunks
