"""PDF files with a text layer: lines the PDF wrapped mid-sentence joined again, page-number lines dropped."""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from pathlib import Path

from core.errors import CorpusError
from ingest.chunking import is_heading_line
from ingest.readers.common import ParsedDocument, document_from_text, reason
from ingest.readers.encoding import clean_text
from ingest.readers.header import HEADER_LINES, is_title_like

logger = logging.getLogger(__name__)

_PAGE_NUMBER_LINE = re.compile(
    r"^[\s\-－—–~～]*(?:第\s*\d{1,4}\s*页(?:\s*[,，]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}(?:\s*[/／]\s*\d{1,4})?"
    r"|[Pp]age\s*\d{1,4}(?:\s*of\s*\d{1,4})?)[\s\-－—–~～]*$"
)
_PDF_SENTENCE_END = tuple("。！？；：」”")
_WRAP_WIDTH_SHARE = 0.75


def _display_width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in s)


def _join_wrapped(a: str, b: str) -> str:
    """Join a wrapped line to the next: no space in Chinese text or numbers, a space between Latin words."""
    if a and b and a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha():
        return f"{a} {b}"
    return a + b


def _is_bare_heading(line: str) -> bool:
    """A heading such as "一、总体要求" or "第二章 申请条件": a title of its own, never wrapped into the next line.

    Article lines (第X条 ……) carry text, so they may wrap."""
    return (
        is_heading_line(line)
        and not re.match(r"第\S{1,8}条", line)
        and not re.search(r"[，,。；;：:！？]", line)
    )


def reflow_pdf_pages(pages: list[str]) -> str:
    """Join lines a PDF wrapped mid-sentence and drop page-number lines; pages are joined in order."""
    physical: list[tuple[str, int]] = []  # (line, width of the fullest line on its page)
    for page_text in pages:
        lines = [ln.strip() for ln in clean_text(page_text).split("\n")]
        lines = [ln for ln in lines if not (ln and _PAGE_NUMBER_LINE.match(ln))]
        page_width = max((_display_width(ln) for ln in lines), default=0)
        physical.extend((ln, page_width) for ln in lines)

    out: list[str] = []
    previous_line = ""
    previous_width = 0
    for index, (line, page_width) in enumerate(physical):
        # Only the first lines can hold the title; further down a line ending in 规定 or 办法 is just text.
        in_header = index <= HEADER_LINES
        wrapped = (
            out
            and previous_line
            and line
            and not previous_line.endswith(_PDF_SENTENCE_END)
            and not is_heading_line(line)
            and not (in_header and is_title_like(previous_line))
            and _display_width(previous_line) >= _WRAP_WIDTH_SHARE * previous_width
            # A heading line stops short of the margin; a wrapped item line such as "（一）由…" runs to it.
            and not (_is_bare_heading(previous_line) and _display_width(previous_line) < 0.9 * previous_width)
        )
        if wrapped:
            out[-1] = _join_wrapped(out[-1], line)
        else:
            out.append(line)
        previous_line, previous_width = line, page_width
    return "\n".join(out)


def read_pdf(raw: bytes, path: Path) -> ParsedDocument:
    """A PDF with a text layer: pages reflowed, page numbers dropped; scanned and encrypted files refused."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted:
            try:
                opened = bool(reader.decrypt(""))
            except Exception:
                opened = False
            if not opened:
                raise CorpusError(f"{path} is encrypted (password-protected); ingest an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata = reader.metadata
        meta_title = metadata.title if metadata is not None else None
    except CorpusError:
        raise
    except Exception as exc:  # pypdf raises many exception types on damaged files
        raise CorpusError(f"{path} is not a valid PDF file or is damaged: {reason(exc)}") from exc
    if not pages or not any(p.strip() for p in pages):
        raise CorpusError(
            f"{path} has no text layer (it looks like a scanned image); it needs OCR before it can be ingested"
        )
    empty = [str(i + 1) for i, p in enumerate(pages) if not p.strip()]
    if empty:
        logger.warning("%s: pages %s have no text layer and are skipped", path, ", ".join(empty))
    return document_from_text(reflow_pdf_pages(pages), path, title_hint=meta_title)
