"""Policy documents: list and full text."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import ViewDep
from api.routes.params import DocId
from api.schemas.common import ErrorOut
from api.schemas.documents import DocumentDetail, DocumentList, DocumentSummary, summary_of

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get("", response_model=DocumentList, summary="List policy documents")
def list_documents(view: ViewDep) -> DocumentList:
    """All ingested policy documents with 文号 and source file, newest first."""
    today = date.today()
    return DocumentList(
        documents=[DocumentSummary.model_validate(summary_of(d.meta, today)) for d in view.documents()]
    )


@router.get(
    "/{doc_id}",
    response_model=DocumentDetail,
    responses={404: {"model": ErrorOut}},
    summary="One policy document with its full text",
)
def get_document(doc_id: DocId, view: ViewDep) -> BaseModel:
    """One document: metadata and the full text that citations quote."""
    doc = view.document(doc_id)
    return DocumentDetail.model_validate({**summary_of(doc.meta, date.today()), "text": doc.text})
