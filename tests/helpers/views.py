"""An in-memory knowledge view for unit tests: each document one chunk, no dense reader.

Example::

    view = one_chunk_view({"housing": ("危房改造办法", "C级危房每户补助1.5万元。")})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from core.knowledge.generation import Snapshot, StoredDocument
from core.knowledge.live import KnowledgeView
from core.knowledge.models import ChunkRecord, DocumentMeta


def one_chunk_view(
    docs: Mapping[str, tuple[str, str]], glossary: Sequence[Mapping[str, Any]] = ()
) -> KnowledgeView:
    """A view of `docs` (doc_id → (title, text)), each document a single chunk `<doc_id>-0`."""
    stored, chunks = {}, []
    for doc_id, (title, text) in docs.items():
        meta = DocumentMeta(doc_id=doc_id, title=title, source=f"{doc_id}.md")
        stored[doc_id] = StoredDocument(meta=meta, text=text, content_hash=doc_id)
        chunks.append(ChunkRecord(f"{doc_id}-0", doc_id, text, 0, len(text), None, meta))
    snapshot = Snapshot("g1", "test", stored, chunks, glossary_data=list(glossary))
    return KnowledgeView(snapshot=snapshot, reader=None)  # type: ignore[arg-type]
