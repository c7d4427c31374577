"""The workbench's API: the signed-in user, review lists, curated answers, the document library and its jobs."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from api.schemas.answers import CitationOut, SearchHit
from api.schemas.common import Text
from core.answers.retrieval import RetrievedChunk

Resolution = Literal["curated", "other_office", "dismissed"]
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]  # a review row's id (BIGINT)


class MeOut(BaseModel):
    kind: Literal["cadre", "admin"]
    name: str
    area: str = Field(description="the jurisdiction: 全县, a township, or a township's village")
    level: Literal["county", "township", "village"]
    county_level: bool = Field(description="county cadres and admins: they review what no village claims")
    csrf: str | None = Field(None, description="send as X-CSRF-Token with every change (workbench sessions)")


class LinkOut(BaseModel):
    url: str = Field(description="open within 10 minutes; it works once")
    expires_at: datetime


class SessionOut(BaseModel):
    id: int
    kind: str
    who: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    active: bool


class SessionList(BaseModel):
    sessions: list[SessionOut]


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[RowId] = Field(min_length=1, max_length=1000, description="the questions (or votes) handled")
    resolution: Resolution = Field(
        description="curated: answered by a curated answer; other_office: another office's business; "
        "dismissed: nothing to do"
    )
    note: Text = Field("", max_length=200, description="e.g. the office that handles it")


class ResolveOut(BaseModel):
    resolved: int = Field(description="how many were marked (only those the caller may review)")


class UnansweredItem(BaseModel):
    time: str
    question: str = Field(description="normalised; ID-card and phone numbers masked")
    reason: str = Field(
        description="no_match | out_of_scope (another office's business, named in the answer) | hostile"
    )


class UnansweredGroup(BaseModel):
    ids: list[int]
    question: str = Field(description="the newest question of the group; people's names masked (张**)")
    count: int
    last_asked: datetime
    reasons: dict[str, int]
    examples: list[str] = Field(description="up to five different wordings, names masked")
    places: list[str] = Field(description="villages or townships of the bound users who asked")


class UnansweredList(BaseModel):
    questions: list[UnansweredItem] = Field(description="newest first, the caller's jurisdiction only")
    groups: list[UnansweredGroup] = Field(
        default_factory=list, description="open questions grouped by similarity, biggest first"
    )


class FeedbackItemOut(BaseModel):
    id: int
    time: datetime
    question: str = Field(description="names, ID and phone numbers masked")
    helpful: bool
    answer: str | None = Field(None, description="the answer voted on, when the client sent it")
    doc_ids: list[str]
    place: str | None
    resolution: str | None = None
    resolution_note: str | None = None


class FeedbackList(BaseModel):
    feedback: list[FeedbackItemOut]


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(min_length=1, max_length=200)
    quote: str = Field(min_length=1, max_length=1000, description="copied word for word from the document")


class CuratedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Text = Field(min_length=2, max_length=200)
    phrasings: list[Text] = Field(default_factory=list, max_length=20, description="other ways people ask it")
    answer: Text = Field(min_length=1, max_length=2000, description="every number in it must be in a quote")
    citations: list[QuoteIn] = Field(min_length=1, max_length=5)
    resolve_unanswered: list[RowId] = Field(
        default_factory=list, max_length=1000, description="unanswered questions this answers: marked curated"
    )
    resolve_feedback: list[RowId] = Field(
        default_factory=list, max_length=1000, description="votes this answers: marked curated"
    )

    @field_validator("phrasings")
    @classmethod
    def _short(cls, v: list[str]) -> list[str]:
        if any(len(p) > 200 for p in v):
            raise ValueError("a phrasing has at most 200 characters")
        return v


class QuoteOut(BaseModel):
    doc_id: str
    quote: str


class CuratedOut(BaseModel):
    id: int
    question: str
    phrasings: list[str]
    answer: str
    citations: list[QuoteOut]
    uses: int
    last_used_at: datetime | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    status: Literal["active", "lapsed"]
    lapsed_reason: str | None = Field(
        None, description="superseded | removed | quote_changed: why it is no longer served"
    )


class CuratedList(BaseModel):
    curated: list[CuratedOut]


class JobOut(BaseModel):
    id: str
    kind: str
    status: Literal["queued", "running", "done", "failed", "refused"]
    stage: str = Field(description="scan | parse | embed | publish | done")
    done: int
    total: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    summary: dict[str, Any] = Field(default_factory=dict)
    detail: str | None = None
    filename: str | None = None
    doc_id: str | None = Field(None, description="the document the job is about (an upload's future doc_id)")
    queue_position: int = Field(0, description="jobs ahead of this one while it waits")
    live: bool = Field(False, description="done, and this API serves the generation it published")


class JobList(BaseModel):
    jobs: list[JobOut]


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal["superseded", "withdrawn", "in_force"]
    superseded_by: str | None = Field(None, max_length=200, description="the replacing document (superseded)")


class MarkOut(BaseModel):
    status: str
    superseded_by: str | None
    changed_at: datetime
    changed_by: str


class LibraryDoc(BaseModel):
    doc_id: str
    title: str
    doc_number: str | None
    issuer: str | None
    source: str
    issued: date | None
    effective_from: date | None
    effective_to: date | None
    superseded_by: str | None
    in_force: bool
    uploaded: bool
    live: bool = Field(description="in the knowledge base now (false: withdrawn)")
    mark: MarkOut | None = None


class LibraryOut(BaseModel):
    documents: list[LibraryDoc]
    jobs: list[JobOut]
    upload_max_bytes: int
    generation: str


class RetrievalTestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Text = Field(min_length=1, max_length=500)
    k: int = Field(8, ge=1, le=20)


class RetrievalPassage(SearchHit):
    """A ranked passage of the retrieval test: a /v1/search hit with what each retrieval leg saw of it."""

    score: float = Field(description="the fused score the answer ranks by")
    bm25: float | None = Field(description="BM25 score (None: the BM25 leg did not find it)")
    dense: float | None = Field(description="cosine similarity (None: the dense leg did not find it)")
    legs: list[Literal["bm25", "dense"]]

    @classmethod
    def of_hit(cls, rank: int, hit: RetrievedChunk, today: date) -> RetrievalPassage:
        """The hit with its legs' raw scores."""
        return cls.of(
            rank,
            hit,
            today,
            bm25=None if hit.bm25 is None else round(hit.bm25, 4),
            dense=None if hit.dense is None else round(hit.dense, 4),
            legs=[leg for leg, v in (("bm25", hit.bm25), ("dense", hit.dense)) if v is not None],
        )


class TestAnswer(BaseModel):
    answer: str
    abstained: bool
    source: Literal["extractive", "curated"]
    reason: str | None = Field(None, description="why it abstained: no_match | out_of_scope | hostile")
    citations: list[CitationOut]
    curated_id: int | None = None


class RetrievalTestOut(BaseModel):
    query: str
    expansions: list[str]
    passages: list[RetrievalPassage]
    answer: TestAnswer = Field(description="what /v1/ask answers now (nothing is recorded or counted)")
