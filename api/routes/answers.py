"""Questions answered with citations, and ranked passages for portals that render their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.deps import ServicesDep, ViewDep
from api.schemas import ErrorOut

router = APIRouter(tags=["answers"])


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1,
        max_length=500,
        description="the question, in any Chinese",
        examples=["我家房子漏雨能修吗"],
    )
    top_k: int | None = Field(None, ge=1, le=10, description="how many passages to cite at most (default 3)")

    @field_validator("question")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("question must not be blank")
        return v


class CitationOut(BaseModel):
    n: int = Field(description="the [n] marker in the answer")
    doc_id: str
    title: str
    doc_number: str | None = Field(None, description="文号")
    section: str | None = Field(None, description="section path, e.g. 第五条")
    text: str = Field(description="verbatim passage of the document")
    score: float


class MeasureRef(BaseModel):
    id: str
    name: str


class AskOut(BaseModel):
    answer: str = Field(description="plain-Chinese answer with [n] markers, or the abstention message")
    abstained: bool = Field(
        description="true when nothing relevant was found: the answer then says whom to ask"
    )
    citations: list[CitationOut]
    measures: list[MeasureRef]


class SearchHit(BaseModel):
    rank: int
    chunk_id: str
    doc_id: str
    title: str
    doc_number: str | None = None
    section: str | None = None
    text: str = Field(description="verbatim passage of the document")
    score: float
    in_force: bool


class SearchOut(BaseModel):
    query: str = Field(description="the query after normalisation")
    expansions: list[str] = Field(description="policy terms added from the glossary")
    results: list[SearchHit]


@router.post("/v1/ask", response_model=AskOut, responses={422: {"model": ErrorOut}, 503: {"model": ErrorOut}})
def ask(body: AskIn, services: ServicesDep, view: ViewDep, request: Request) -> AskOut:
    """Answer a policy question with citations, or say honestly that the policies do not cover it."""
    answer = services.answers.ask(view, body.question, top_k=body.top_k or 3)
    request.app.state.metrics.observe_answer("ask", abstained=answer.abstained)
    return AskOut.model_validate(answer.as_dict())


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
        results=[
            SearchHit(
                rank=i,
                chunk_id=h.chunk.chunk_id,
                doc_id=h.chunk.doc_id,
                title=h.chunk.meta.title,
                doc_number=h.chunk.meta.doc_number,
                section=h.chunk.section,
                text=h.chunk.text,
                score=round(h.score, 4),
                in_force=h.chunk.meta.in_force(today),
            )
            for i, h in enumerate(hits, 1)
        ],
    )
