"""The 帮扶通 retriever as a LangChain `BaseRetriever`, for Python portal developers composing chains.

Example::

    from core.services import build_services
    from core.settings import Settings
    from core.answers.langchain import BangfuRetriever

    services = build_services(Settings())
    retriever = BangfuRetriever(services=services, k=4)
    for doc in retriever.invoke("借钱搞养殖有啥政策"):
        print(doc.metadata["title"], doc.metadata["doc_number"], doc.metadata["section"], doc.page_content[:40])
"""

from __future__ import annotations

from datetime import date
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field


class BangfuRetriever(BaseRetriever):
    """Hybrid retrieval over the live knowledge base; each Document carries its citation metadata."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    services: Any = Field(description="core.services.Services built by build_services()")
    k: int = Field(5, ge=1, le=50, description="how many passages")
    category: str | None = Field(None, description="only passages of this category")
    in_force_only: bool = Field(False, description="only policies in force today")

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        view = self.services.knowledge.current()
        today = date.today()
        hits = self.services.retriever.search(
            view, query, k=self.k, category=self.category, in_force_on=today if self.in_force_only else None
        )
        return [
            Document(
                page_content=h.chunk.text,
                id=h.chunk.chunk_id,
                metadata={
                    "doc_id": h.chunk.doc_id,
                    "title": h.chunk.meta.title,
                    "doc_number": h.chunk.meta.doc_number,
                    "issuer": h.chunk.meta.issuer,
                    "section": h.chunk.section,
                    "source": h.chunk.meta.source,
                    "start": h.chunk.start,
                    "end": h.chunk.end,
                    "score": h.score,
                    "in_force": h.chunk.meta.in_force(today),
                },
            )
            for h in hits
        ]
