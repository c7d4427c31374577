"""Word (.docx) files: paragraphs and tables in document order; the title from the notice or the file's properties."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from core.errors import CorpusError
from ingest.readers.common import ParsedDocument, document_from_text, reason


def read_docx(raw: bytes, path: Path) -> ParsedDocument:
    """A Word (.docx) file: paragraphs and table rows in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(raw))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                lines.append(block.text)
            elif isinstance(block, Table):
                lines.extend(_docx_table_rows(block))
        core_title = document.core_properties.title
    except Exception as exc:  # python-docx raises zipfile, lxml, KeyError … on damaged files
        raise CorpusError(f"{path} is not a valid Word (.docx) file or is damaged: {reason(exc)}") from exc
    return document_from_text("\n".join(lines), path, title_hint=core_title)


def _docx_table_rows(table: Any) -> list[str]:
    """One line per table row, cells separated by tabs; merged cells appear once."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        rows.append("\t".join(cells))
    return rows
