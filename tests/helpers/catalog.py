"""The real policies/ folder for tests: its documents, fact registry, catalog and screening service.

registry = load_registry(); catalog = load_catalog(registry)
service = load_service(catalog, registry)
status(service, "microcredit", {"household_type": "脱贫户"})   # Status.NEED_INFO
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.eligibility.rules import Status
from core.eligibility.screening import EligibilityService
from core.knowledge.models import DocumentMeta

POLICIES = Path(__file__).parents[2] / "policies"


@cache
def read_document(doc_id: str) -> tuple[DocumentMeta, str] | None:
    """Front matter and body of policies/docs/<doc_id>.md, or None when there is no such file."""
    path = POLICIES / "docs" / f"{doc_id}.md"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    meta = yaml.safe_load(front)
    dates = {k: meta.get(k) for k in ("effective_from", "effective_to")}  # YAML reads them as dates
    doc = DocumentMeta(
        doc_id,
        meta["title"],
        path.name,
        meta.get("doc_number"),
        superseded_by=meta.get("superseded_by"),
        **dates,
    )
    return doc, body


def load_registry(folder: Path = POLICIES) -> FactRegistry:
    """The fact registry of `folder` (default: the real policies/)."""
    return FactRegistry.load(folder / "facts.yaml")


def load_catalog(registry: FactRegistry, folder: Path = POLICIES) -> Catalog:
    """The measure catalog of `folder` (default: the real policies/)."""
    return Catalog.load(folder, registry)


def load_service(catalog: Catalog, registry: FactRegistry) -> EligibilityService:
    """A screening service whose documents are read from the real policies/docs/."""

    def lookup(doc_id: str) -> DocumentMeta | None:
        found = read_document(doc_id)
        return found[0] if found else None

    return EligibilityService(catalog, registry, lookup)


def lapsed_measures(service: EligibilityService, catalog: Catalog) -> set[str]:
    """Measures whose basis documents have all expired or been superseded today."""
    return {m.id for m in catalog if service.lapsed(m, date.today())}


def status(service: EligibilityService, measure_id: str, facts: dict[str, Any]) -> Status:
    return service.screen(facts, [measure_id]).results[0].status
