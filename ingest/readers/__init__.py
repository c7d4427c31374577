"""Read one policy file (.md with front matter, .txt in any common Chinese encoding, .docx, .pdf, .html).

Example:
    >>> from pathlib import Path
    >>> doc = read_document(Path("policies/docs/qinghe-housing-safety-2023.md"))  # doctest: +SKIP
    >>> doc.meta.title, doc.meta.doc_number  # doctest: +SKIP
    ('青禾县农村低收入群体住房安全保障实施办法', '青政办〔2023〕12号')

`ParsedDocument.text` is the text citations quote: newlines are "\\n", lines carry no trailing spaces, there
are no NULs and no runs of blank lines. `ParsedDocument.meta` is a DocumentMeta: what front matter leaves out
comes from the notice's own text (title, 文号, issuer and dates from its header and closing lines; validity, 试行
and repeal clauses from its body), and `ParsedDocument.reading` keeps each finding with its line. Every failure
is a `CorpusError` naming the file and the reason.

One module per format (text: Markdown and plain text; docx; pdf; html), over what they share: encoding
(decoding and clean-up), header (a notice's header and closing lines), provenance (what the text says about the
document, line by line) and common (ParsedDocument).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from core.errors import CorpusError
from ingest.readers.common import ParsedDocument, reason
from ingest.readers.docx import read_docx
from ingest.readers.encoding import clean_text, decode_text
from ingest.readers.header import parse_date
from ingest.readers.html import read_html
from ingest.readers.pdf import read_pdf, reflow_pdf_pages
from ingest.readers.text import read_markdown, read_plain_text

__all__ = [
    "MAX_FILE_BYTES",
    "SUPPORTED_SUFFIXES",
    "ParsedDocument",
    "clean_text",
    "decode_text",
    "parse_date",
    "read_document",
    "reflow_pdf_pages",
]

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 64 * 1024 * 1024

_READERS: dict[str, Callable[[bytes, Path], ParsedDocument]] = {
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".txt": read_plain_text,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
}
SUPPORTED_SUFFIXES = tuple(_READERS)


def read_document(path: Path) -> ParsedDocument:
    """Read one policy file into a ParsedDocument; raise CorpusError naming the file and the reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        supported = ", ".join(SUPPORTED_SUFFIXES)
        raise CorpusError(
            f"{path} has an unsupported file type '{suffix or '(none)'}'; supported: {supported}"
        )
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise CorpusError(
                f"{path} is too large ({size // (1024 * 1024)} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"{path} cannot be read: {exc.strerror or reason(exc)}") from exc
    if not raw.strip():
        raise CorpusError(f"{path} is empty")
    document = reader(raw, path)
    logger.debug("read %s: %d characters, title %r", path, len(document.text), document.meta.title)
    return document
