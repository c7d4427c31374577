"""Curated answers (标准答案): written by cadres and admins, checked against the documents, served by /v1/ask.

A quote that is not word for word in its document, or an answer with a number no quote holds, is refused (422).
An entry whose document was superseded or removed lapses: it is listed with the reason and never served.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Response

from api.deps import ServicesDep, ViewDep
from api.schemas import ErrorOut
from api.schemas.workbench import CuratedIn, CuratedList, CuratedOut, QuoteOut
from api.staff import StaffUser
from core.answers.curated import lapse_reason
from core.errors import Forbidden
from core.knowledge.live import KnowledgeView
from core.records.curated import CuratedEntry, draft_of
from core.records.staff import Staff
from core.services import Services

router = APIRouter(
    prefix="/v1/curated",
    tags=["answers"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)

CuratedId = Path(ge=1, le=2**31 - 1, description="the curated answer's id")


def _out(view: KnowledgeView, entry: CuratedEntry) -> CuratedOut:
    reason = lapse_reason(view, entry.citations)
    return CuratedOut(
        id=entry.id,
        question=entry.question,
        phrasings=list(entry.phrasings),
        answer=entry.answer,
        citations=[QuoteOut(doc_id=d, quote=q) for d, q in entry.citations],
        uses=entry.uses,
        last_used_at=entry.last_used_at,
        created_by=entry.created_by,
        created_at=entry.created_at,
        updated_at=entry.updated_at,
        status="lapsed" if reason else "active",
        lapsed_reason=reason,
    )


def _checked(body: CuratedIn, view: KnowledgeView, services: Services) -> tuple[str, ...]:
    citations = [(c.doc_id, c.quote) for c in body.citations]
    services.curated.check_draft(view, body.answer, citations)
    return tuple(body.phrasings)


def _may_change(staff: Staff, entry: CuratedEntry) -> None:
    """Its author, a county cadre or an admin may change or delete an entry; another village's cadre may not."""
    if not staff.county_level and entry.created_by.split("/")[0] != staff.actor.who.split("/")[0]:
        raise Forbidden("only the author or a county-level cadre may change this curated answer")


def _resolve_sources(body: CuratedIn, staff: Staff, services: Services, entry_id: int) -> None:
    note = f"curated={entry_id}"
    for log, ids in (
        (services.unanswered, body.resolve_unanswered),
        (services.feedback, body.resolve_feedback),
    ):
        if ids:
            log.resolve(ids, scope=staff.jurisdiction, resolution="curated", note=note, actor=staff.actor)


@router.post("", response_model=CuratedOut, status_code=201, summary="Write a curated answer")
def create(body: CuratedIn, staff: StaffUser, services: ServicesDep, view: ViewDep) -> CuratedOut:
    """A curated answer with verbatim quotes; the questions and votes it answers may be marked handled."""
    phrasings = _checked(body, view, services)
    entry = services.curated_store.create(
        draft_of(body.question, phrasings, body.answer, [(c.doc_id, c.quote) for c in body.citations]),
        actor=staff.actor,
    )
    _resolve_sources(body, staff, services, entry.id)
    return _out(view, entry)


@router.get("", response_model=CuratedList, summary="All curated answers")
def list_curated(staff: StaffUser, services: ServicesDep, view: ViewDep) -> CuratedList:
    """Every curated answer, with how often it was given and whether it has lapsed."""
    return CuratedList(curated=[_out(view, e) for e in services.curated_store.entries(fresh=True)])


@router.get("/{curated_id}", response_model=CuratedOut, responses={404: {"model": ErrorOut}}, summary="One")
def get_curated(
    staff: StaffUser, services: ServicesDep, view: ViewDep, curated_id: int = CuratedId
) -> CuratedOut:
    """One curated answer."""
    return _out(view, services.curated_store.get(curated_id))


@router.put(
    "/{curated_id}", response_model=CuratedOut, responses={404: {"model": ErrorOut}}, summary="Change"
)
def update(
    body: CuratedIn, staff: StaffUser, services: ServicesDep, view: ViewDep, curated_id: int = CuratedId
) -> CuratedOut:
    """Replace a curated answer's question, phrasings, text and quotes (checked as when written)."""
    _may_change(staff, services.curated_store.get(curated_id))  # 404 and 403 before a 422 about the body
    phrasings = _checked(body, view, services)
    entry = services.curated_store.update(
        curated_id,
        draft_of(body.question, phrasings, body.answer, [(c.doc_id, c.quote) for c in body.citations]),
        actor=staff.actor,
    )
    _resolve_sources(body, staff, services, entry.id)
    return _out(view, entry)


@router.delete(
    "/{curated_id}",
    status_code=204,
    response_class=Response,
    responses={404: {"model": ErrorOut}},
    summary="Delete",
)
def delete(staff: StaffUser, services: ServicesDep, curated_id: int = CuratedId) -> Response:
    """Delete a curated answer: the question is answered from the documents again."""
    _may_change(staff, services.curated_store.get(curated_id))
    services.curated_store.delete(curated_id, actor=staff.actor)
    return Response(status_code=204)
