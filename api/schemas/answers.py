"""Questions and answers: the /v1/ask request and answer with citations, and ranked passages of /v1/search."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.common import Text
from core.answers.retrieval import RetrievedChunk


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Text = Field(
        min_length=1,
        max_length=500,
        description="the question, in any Chinese",
        examples=["我家房子漏雨能修吗"],
    )
    top_k: int | None = Field(None, ge=1, le=10, description="how many passages to cite at most (default 3)")
    conversation_id: str | None = Field(
        None,
        pattern=r"^[0-9a-f]{32}$",
        description="the conversation_id of an earlier answer: the question is read in that conversation "
        "(a follow-up such as 要带什么材料 is about the earlier question's measure). Unknown or expired "
        "(30 minutes idle by default): a new conversation is started and its new id returned. Malformed: 422",
        examples=["5f0c6a3e9b2d4c1a8e7f6d5c4b3a2918"],
    )

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


class ClarifyChoice(BaseModel):
    measure_id: str | None = Field(None, description="the measure (null on a corpus without a catalog)")
    doc_id: str | None = Field(None, description="the document, when there is no catalog measure")
    name: str
    question: str = Field(
        description="the follow-up asked about this choice, ready to send as the next question"
    )


class AskOut(BaseModel):
    answer: str = Field(description="plain-Chinese answer with [n] markers, or the abstention message")
    abstained: bool = Field(
        description="true when nothing relevant was found: the answer then says whom to ask"
    )
    citations: list[CitationOut]
    measures: list[MeasureRef]
    clarify: list[ClarifyChoice] = Field(
        default_factory=list,
        description="a follow-up asked with no conversation to read it in (要带什么材料 as a first question): "
        "the answer asks back which of these two or three measures it is about; empty otherwise",
    )
    conversation_id: str = Field(description="send it with the next question to ask a follow-up")
    source: Literal["extractive", "curated"] = Field(
        "extractive",
        description="extractive: passages taken from the documents; curated: a cadre's curated answer (标准答案) "
        "for this question, with its verbatim quotes as citations",
    )


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

    @classmethod
    def of(cls, rank: int, hit: RetrievedChunk, today: date, **extra: Any) -> Self:
        """A ranked retrieval hit as the API shows it (`extra`: a subclass's own fields)."""
        meta = hit.chunk.meta
        return cls(
            rank=rank,
            chunk_id=hit.chunk.chunk_id,
            doc_id=hit.chunk.doc_id,
            title=meta.title,
            doc_number=meta.doc_number,
            section=hit.chunk.section,
            text=hit.chunk.text,
            score=round(hit.score, 4),
            in_force=meta.in_force(today),
            **extra,
        )


class SearchOut(BaseModel):
    query: str = Field(description="the query after normalisation")
    expansions: list[str] = Field(description="policy terms added from the glossary")
    results: list[SearchHit]
