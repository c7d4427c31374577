"""Documents marked at the workbench: superseded by another document, or withdrawn from the library.

The marks live in the records database (core/records/library.py); each ingest applies them to the planned
generation, and they are part of the corpus fingerprint, so a new mark alone makes the next run publish.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from core.knowledge.store import StoredDocument
from ingest.planning import Plan, PublishRefused
from ingest.report import IngestReport

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentStatus:
    """`status` superseded (by `superseded_by`) or withdrawn."""

    status: str
    superseded_by: str | None = None


def status_lines(statuses: Mapping[str, DocumentStatus]) -> list[str]:
    """The marks as fingerprint lines: a changed mark is a changed corpus."""
    return [f"status {doc_id} {s.status} {s.superseded_by or ''}" for doc_id, s in sorted(statuses.items())]


def apply_statuses(
    plan: Plan, statuses: Mapping[str, DocumentStatus], report: IngestReport, *, allow_removal: bool
) -> None:
    """Drop withdrawn documents from the plan and point superseded ones at their successor."""
    for doc_id, mark in sorted(statuses.items()):
        doc = plan.docs.get(doc_id)
        if doc is None:
            continue
        if mark.status == "withdrawn":
            del plan.docs[doc_id]
            plan.chunks = [c for c in plan.chunks if c.doc_id != doc_id]
            report.withdrawn.append(doc.meta.source)
            logger.info("withdrawn at the workbench: %s", doc.meta.source)
        elif (
            mark.status == "superseded"
            and mark.superseded_by
            and doc.meta.superseded_by != mark.superseded_by
        ):
            meta = dataclasses.replace(doc.meta, superseded_by=mark.superseded_by)
            plan.docs[doc_id] = StoredDocument(meta, doc.text, doc.content_hash)
    if report.withdrawn and not plan.docs and not allow_removal:
        raise PublishRefused(
            "withdrawing these documents would leave the library empty; nothing was published", report
        )
