"""What every reader shares: the parsed document and the DocumentMeta fields a file may state about itself."""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from core.knowledge.models import DocumentMeta

# DocumentMeta's fields a file may state; doc_id and source come from where the file lies in the ingested
# folder, which only the pipeline knows.
_PLACED = ("doc_id", "source")
_TYPES = typing.get_type_hints(DocumentMeta)
STATED_FIELDS = tuple(f.name for f in dataclasses.fields(DocumentMeta) if f.name not in _PLACED)
DATE_FIELDS = tuple(name for name in STATED_FIELDS if _TYPES[name] == date | None)
TEXT_FIELDS = tuple(name for name in STATED_FIELDS if _TYPES[name] in (str, str | None))
if len(DATE_FIELDS) + len(TEXT_FIELDS) != len(STATED_FIELDS):  # front matter reads only text and dates
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
