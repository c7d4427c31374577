"""Policy documents: list and full text."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter

from api.deps import ViewDep
from api.schemas import DocumentDetail, DocumentList, DocumentSummary, ErrorOut
from core.knowledge.store import StoredDocument

router = APIRouter(prefix="/v1/documents", tags=["documents"])


def _summary(doc: StoredDocument) -> dict[str, object]:
    m = doc.meta
    return {
        "doc_id": m.doc_id,
        "title": m.title,
        "doc_number": m.doc_number,
        "source": m.source,
        "issuer": m.issuer,
        "issued": m.issued,
        "effective_from": m.effective_from,
        "effective_to": m.effective_to,
        "region": m.region,
        "category": m.category,
        "in_force": m.in_force(date.today()),
        "supersedes": m.supersedes,
        "superseded_by": m.superseded_by,
    }


@router.get("", response_model=DocumentList, summary="List policy documents")
def list_documents(view: ViewDep) -> DocumentList:
    """All ingested policy documents with 文号 and source file, newest first."""
    return DocumentList(documents=[DocumentSummary.model_validate(_summary(d)) for d in view.documents()])


@router.get(
    "/{doc_id}",
    response_model=DocumentDetail,
    responses={404: {"model": ErrorOut}},
    summary="One policy document with its full text",
)
def get_document(doc_id: str, view: ViewDep) -> DocumentDetail:
    """One document: metadata and the full text that citations quote."""
    doc = view.document(doc_id)
    return DocumentDetail.model_validate({**_summary(doc), "text": doc.text})
