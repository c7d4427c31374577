"""Markdown with YAML front matter, and plain text in any common Chinese encoding.

Front matter keys are DocumentMeta's field names (title, doc_number, issuer, issued, effective_from, …); other keys
are kept in `ParsedDocument.extra`. Without front matter the notice's own lines give title, 文号, issuer and dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from core.errors import CorpusError
from ingest.readers.common import (
    BOOL_FIELDS,
    DATE_FIELDS,
    STATED_FIELDS,
    TEXT_FIELDS,
    ParsedDocument,
    document_from_text,
    parsed_document,
)
from ingest.readers.encoding import clean_text, decode_text
from ingest.readers.header import parse_date
from ingest.readers.provenance import merge, read_text, settle


def _split_front_matter(text: str, path: Path) -> tuple[str | None, str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :])
    raise CorpusError(f"{path}: the front matter that starts on line 1 is never closed with a '---' line")


def _front_matter_str(value: Any, key: str, path: Path) -> str | None:
    if value is None:
        return None
    if isinstance(value, (bool, list, dict)):
        raise CorpusError(f"{path}: front matter field '{key}' must be text, not {type(value).__name__}")
    text = str(value).strip()
    return text or None


def _front_matter_bool(value: Any, key: str, path: Path) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    raise CorpusError(f"{path}: front matter field '{key}' must be true or false: {value!r}")


def _front_matter_date(value: Any, key: str, path: Path) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        parsed = parse_date(value)
        if parsed is not None:
            return parsed
    raise CorpusError(f"{path}: front matter field '{key}' is not a date (expected YYYY-MM-DD): {value!r}")


_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+|^[ \t]{0,3}#{1,6}$", re.MULTILINE)
_MD_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_MD_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+", re.MULTILINE)
_MD_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)


def strip_markdown(text: str) -> str:
    """The text without Markdown markup (heading marks, bold, bullets, quote marks), so what is stored, chunked
    and quoted is the words a reader sees."""
    text = _MD_HEADING.sub("", text)
    text = _MD_CLOSING_HASHES.sub("", text)
    text = _MD_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    text = _MD_BULLET.sub(r"\1", text)
    return _MD_QUOTE.sub("", text)


def read_markdown(raw: bytes, path: Path) -> ParsedDocument:
    """A Markdown file; its YAML front matter, when there is one, states the DocumentMeta fields."""
    text = clean_text(decode_text(raw, name=str(path)))
    front, body = _split_front_matter(text, path)
    body = strip_markdown(body)
    if front is None:
        return document_from_text(body, path)
    try:
        meta = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise CorpusError(f"{path}: the front matter is not valid YAML{where}: {problem}") from exc
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise CorpusError(f"{path}: the front matter must be a mapping of 'key: value' lines")
    body = clean_text(body)
    if not body.strip():
        raise CorpusError(f"{path} has front matter but no text")
    fields: dict[str, Any] = {key: _front_matter_str(meta.get(key), key, path) for key in TEXT_FIELDS}
    fields |= {key: _front_matter_date(meta.get(key), key, path) for key in DATE_FIELDS}
    fields |= {key: _front_matter_bool(meta.get(key), key, path) for key in BOOL_FIELDS}
    if (
        fields["effective_from"]
        and fields["effective_to"]
        and fields["effective_to"] < fields["effective_from"]
    ):
        raise CorpusError(
            f"{path}: effective_to {fields['effective_to']} is before effective_from {fields['effective_from']}"
        )
    extra = {str(k): v for k, v in meta.items() if k not in STATED_FIELDS}
    # Front matter wins; the text fills what it leaves out, and a disagreement is noted for the ingest summary.
    reading = read_text(body)
    fields = merge(fields, reading)
    fields["title"] = fields["title"] or (
        reading.found["title"].value if "title" in reading.found else path.stem
    )
    fields |= {key: bool(fields[key]) for key in BOOL_FIELDS}
    doc = parsed_document(path, body, extra=extra, **fields)
    doc.meta = settle(doc.meta, reading)
    doc.reading = reading
    return doc


def read_plain_text(raw: bytes, path: Path) -> ParsedDocument:
    """A plain-text notice in any common Chinese encoding."""
    return document_from_text(decode_text(raw, name=str(path)), path)
