"""Questions and answers: the /v1/ask request and answer with citations, and ranked passages of /v1/search."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.common import Text


class AskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Text = Field(
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
