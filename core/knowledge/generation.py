"""What a knowledge generation is made of: the pointer that publishes it, its documents and its loaded snapshot."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from core.knowledge.models import ChunkRecord, DocumentMeta


@dataclass
class Pointer:
    """Which generation is live, and what it was built from (for incremental ingest)."""

    generation: str
    model_id: str
    fingerprint: str
    documents: dict[str, str] = field(default_factory=dict)  # source path → content hash
    failed: dict[str, str] = field(default_factory=dict)  # source path → why it could not be read
    stats: dict[str, int] = field(default_factory=dict)  # chunks, measures, glossary entries
    created: str = ""

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, raw: str) -> Pointer:
        data = json.loads(raw)
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


@dataclass
class StoredDocument:
    """A policy document as stored: metadata, the full text citations quote, and its content hash."""

    meta: DocumentMeta
    text: str
    content_hash: str


@dataclass
class Snapshot:
    """Everything one generation holds, loaded into memory for retrieval and lookups.

    The measure catalog, the glossary and the fact registry are kept as stored (JSON); typed objects are built
    from them once per generation and nothing else reads them: `KnowledgeView.glossary` and
    `KnowledgeView.referrals` here, the eligibility `Catalog` and `FactRegistry` by the composition root
    (core.services), which hands them to answers and the API.
    """

    generation: str
    model_id: str
    documents: dict[str, StoredDocument]
    chunks: list[ChunkRecord]
    catalog_data: list[dict[str, Any]] = field(default_factory=list)
    glossary_data: list[dict[str, Any]] = field(default_factory=list)
    facts_data: dict[str, Any] = field(default_factory=dict)
    manifest: dict[str, Any] = field(default_factory=dict)


def new_generation_name() -> str:
    """A sortable, unique generation name."""
    return "g" + datetime.now(UTC).strftime("%Y%m%d%H%M%S") + "-" + secrets.token_hex(3)
