"""What every reader shares: the parsed document and the DocumentMeta fields a file may state about itself."""

from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from core.errors import CorpusError
from core.knowledge.models import DocumentMeta
from ingest.readers.encoding import clean_text
from ingest.readers.header import set_off_run_in_head
from ingest.readers.provenance import TextReading, read_text, settle

# DocumentMeta's fields a file may state; doc_id and source come from where the file lies in the ingested
# folder, which only the pipeline knows.
_PLACED = ("doc_id", "source")
_TYPES = typing.get_type_hints(DocumentMeta)
STATED_FIELDS = tuple(f.name for f in dataclasses.fields(DocumentMeta) if f.name not in _PLACED)
DATE_FIELDS = tuple(name for name in STATED_FIELDS if _TYPES[name] == date | None)
TEXT_FIELDS = tuple(name for name in STATED_FIELDS if _TYPES[name] in (str, str | None))
BOOL_FIELDS = tuple(name for name in STATED_FIELDS if _TYPES[name] is bool)
if len(DATE_FIELDS) + len(TEXT_FIELDS) + len(BOOL_FIELDS) != len(STATED_FIELDS):  # text, dates, yes/no only
    raise TypeError(f"DocumentMeta has a field the readers cannot parse: {STATED_FIELDS}")


@dataclass
class ParsedDocument:
    """One policy document as read from a file: its text and what the file states about it.

    `meta.doc_id` and `meta.source` are the file's stem and path until the pipeline places the file in the
    ingested folder.
    """

    meta: DocumentMeta
    text: str
    extra: dict[str, Any] = field(default_factory=dict)  # front-matter keys DocumentMeta has no field for
    reading: TextReading = field(default_factory=TextReading)  # what the text says, line by line


def parsed_document(
    path: Path, text: str, *, extra: dict[str, Any] | None = None, **stated: Any
) -> ParsedDocument:
    """A ParsedDocument of `path` with the DocumentMeta fields in `stated` (title at least)."""
    meta = DocumentMeta(doc_id=path.stem, source=path.as_posix(), **stated)
    return ParsedDocument(meta=meta, text=text, extra=extra or {})


def reason(exc: BaseException) -> str:
    """The first line of an exception's message, for a CorpusError naming why a file could not be read."""
    message = str(exc).strip()
    return message.splitlines()[0][:200] if message else type(exc).__name__


def _usable_title_hint(hint: str | None) -> str | None:
    """A title from file metadata, unless it is a tool's placeholder ("untitled", "Microsoft Word - a.doc")."""
    hint = (hint or "").strip()
    if not hint or hint.lower() in {"untitled", "untitled document", "无标题", "无标题文档"}:
        return None
    if hint.startswith("Microsoft Word -") or re.search(r"\.(?:docx?|pdf|wps)$", hint, re.IGNORECASE):
        return None
    return hint


def document_from_text(text: str, path: Path, *, title_hint: str | None = None) -> ParsedDocument:
    """A ParsedDocument from extracted text, every field read from the notice itself (see provenance)."""
    text = set_off_run_in_head(clean_text(text))
    if not text.strip():
        raise CorpusError(f"{path} contains no text")
    reading = read_text(text)
    fields = {k: f.value for k, f in reading.found.items() if k in STATED_FIELDS}
    fields["title"] = fields.get("title") or _usable_title_hint(title_hint) or path.stem
    doc = parsed_document(path, text, **fields)
    doc.meta = settle(doc.meta, reading)
    doc.reading = reading
    return doc
