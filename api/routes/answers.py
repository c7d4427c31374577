"""Questions answered with citations, and ranked passages for portals that render their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from api.auth import AskerPlace
from api.deps import ServicesDep, ViewDep
from api.schemas.answers import AskIn, AskOut, SearchHit, SearchOut
from api.schemas.common import ErrorOut

router = APIRouter(tags=["answers"])


@router.post("/v1/ask", response_model=AskOut, responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def ask(body: AskIn, services: ServicesDep, view: ViewDep, request: Request, place: AskerPlace) -> AskOut:
    """Answer a policy question with citations, read in its conversation, or say honestly that the policies do not
    cover it. A question that is the same as a cadre's curated one gets that answer (`source: curated`)."""
    answer, conversation_id = services.conversations.ask(
        view, body.question, conversation_id=body.conversation_id, top_k=body.top_k or 3, origin=place
    )
    request.app.state.metrics.observe_answer("ask", abstained=answer.abstained)
    return AskOut.model_validate(answer.as_dict() | {"conversation_id": conversation_id})


@router.get("/v1/search", response_model=SearchOut, responses={422: {"model": ErrorOut}})
def search(
    services: ServicesDep,
    view: ViewDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="search words or a question")],
    k: Annotated[int, Query(ge=1, le=20, description="how many passages")] = 5,
    category: Annotated[str | None, Query(max_length=20, description="only this category")] = None,
) -> SearchOut:
    """Ranked policy passages for a query, for portals that render their own answers."""
    from datetime import date

    aq = services.retriever.analyze(view, q)
    hits = services.retriever.search(view, aq, k=k, category=category)
    today = date.today()
    return SearchOut(
        query=aq.normalized,
        expansions=aq.expansions,
        results=[SearchHit.of(i, h, today) for i, h in enumerate(hits, 1)],
    )
