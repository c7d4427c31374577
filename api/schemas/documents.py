"""Policy documents as the API shows them: DocumentMeta's fields, declared once in core/knowledge/models.py, with
descriptions for portal developers, plus whether the document is in force today."""

from __future__ import annotations

import dataclasses
import typing
from datetime import date
from typing import Any

from pydantic import BaseModel, Field, create_model

from core.knowledge.models import DocumentMeta

_DESCRIPTIONS = {
    "doc_number": "文号, e.g. 青政办〔2023〕12号",
    "source": "file path relative to the ingested folder",
    "superseded_by": "doc_id of the newer version, if any (front matter, or the newer text's repeal clause)",
    "supersedes": "doc_id of the older version this one replaces, if any",
    "effective_to": "last day in force (front matter, or the text: 有效期至…, 执行至…, 有效期X年)",
    "trial": "issued for trial (试行)",
}


def _meta_fields() -> dict[str, Any]:
    """DocumentMeta's fields as pydantic field definitions: the same names, types and defaults."""
    types = typing.get_type_hints(DocumentMeta)
    return {
        f.name: (
            types[f.name],
            Field(
                ... if f.default is dataclasses.MISSING else f.default, description=_DESCRIPTIONS.get(f.name)
            ),
        )
        for f in dataclasses.fields(DocumentMeta)
    }


DocumentSummary = create_model(
    "DocumentSummary",
    __module__=__name__,
    **_meta_fields(),
    in_force=(bool, Field(description="applies today and has not been superseded")),
)

DocumentDetail = create_model(
    "DocumentDetail",
    __module__=__name__,
    __base__=DocumentSummary,
    text=(str, Field(description="the full extracted text that citations quote verbatim")),
)


class DocumentList(BaseModel):
    documents: list[DocumentSummary]


def summary_of(meta: DocumentMeta, today: date) -> dict[str, Any]:
    """The DocumentSummary fields of a document: its metadata and whether it is in force on `today`."""
    return {**dataclasses.asdict(meta), "in_force": meta.in_force(today)}
