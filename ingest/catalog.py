"""The measure catalog, facts and glossary of a policies folder, validated; the last good version on error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from core.eligibility.catalog import Catalog
from core.eligibility.facts import FactRegistry
from core.errors import CorpusError
from core.knowledge.store import StoredDocument
from ingest.cache import IngestCache
from ingest.corpus import Corpus
from ingest.report import IngestReport


def _load_yaml_list(path: Path, key: str, *, optional: bool = False) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path.name} is not valid YAML: {exc}") from exc
    entries = data.get(key) if isinstance(data, dict) else (None if optional else data)
    if optional and entries is None:
        return []
    if not isinstance(entries, list):
        raise CorpusError(f"{path.name} must hold a list under '{key}'")
    return entries


def load_glossary(path: Path) -> list[dict[str, Any]]:
    """Glossary entries `{colloquial, terms}` and referrals `{office, topics}` (whom to ask instead), validated."""
    out = []
    for i, entry in enumerate(_load_yaml_list(path, "entries"), 1):
        if not isinstance(entry, dict) or not entry.get("colloquial") or not entry.get("terms"):
            raise CorpusError(f"{path.name}: entry {i} needs 'colloquial' and 'terms'")
        terms = entry["terms"] if isinstance(entry["terms"], list) else [entry["terms"]]
        out.append({"colloquial": str(entry["colloquial"]), "terms": [str(t) for t in terms]})
    for i, entry in enumerate(_load_yaml_list(path, "referrals", optional=True), 1):
        if not isinstance(entry, dict) or not entry.get("office") or not entry.get("topics"):
            raise CorpusError(f"{path.name}: referral {i} needs 'office' and 'topics'")
        topics = entry["topics"] if isinstance(entry["topics"], list) else [entry["topics"]]
        out.append({"office": str(entry["office"]), "topics": [str(t) for t in topics]})
    return out


def load_catalog(
    cache: IngestCache, corpus: Corpus, docs: dict[str, StoredDocument], report: IngestReport
) -> tuple[list[dict[str, Any]], dict[str, Any], list[dict[str, Any]]]:
    """Catalog, facts and glossary; on error keep the last good version so nothing stored is lost."""
    folder = corpus.folder
    facts: dict[str, Any] = cache.get_json("facts") or {}
    catalog: list[dict[str, Any]] = cache.get_json("catalog") or []
    glossary: list[dict[str, Any]] = cache.get_json("glossary") or []
    registry: FactRegistry | None
    if corpus.facts_path:
        try:
            facts = yaml.safe_load(corpus.facts_path.read_text(encoding="utf-8")) or {}
            registry = FactRegistry.from_dict(facts)
            cache.put_json("facts", facts)
        except (CorpusError, yaml.YAMLError, ValueError) as exc:
            report.failed[corpus.facts_path.relative_to(folder).as_posix()] = str(getattr(exc, "detail", exc))
            registry = FactRegistry.from_dict(facts) if facts else None
    else:
        registry = FactRegistry.from_dict(facts) if facts else None
    if corpus.measures_dir:
        try:
            if registry is None:
                raise CorpusError("measures need a facts.yaml beside them")
            loaded = Catalog.load(corpus.measures_dir.parent, registry)
            catalog = [loaded.to_public_dict(m) for m in loaded]
            for m in catalog:
                for ref in m.get("basis", []):
                    doc = docs.get(ref.get("doc_id"))
                    if doc is None:
                        raise CorpusError(f"measure {m['id']}: basis document {ref.get('doc_id')} not found")
                    if ref.get("quote") and ref["quote"] not in doc.text:
                        raise CorpusError(f"measure {m['id']}: basis quote is not in {ref['doc_id']}")
            cache.put_json("catalog", catalog)
        except CorpusError as exc:
            report.failed[corpus.measures_dir.relative_to(folder).as_posix() + "/"] = exc.detail
    if corpus.glossary_path:
        try:
            glossary = load_glossary(corpus.glossary_path)
            cache.put_json("glossary", glossary)
        except CorpusError as exc:
            report.failed[corpus.glossary_path.relative_to(folder).as_posix()] = exc.detail
    return catalog, facts, glossary
