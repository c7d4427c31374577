"""`python -m ingest --explain DOC [PATH]`: each metadata field of one document, with the line it was read from.

The folder is read and linked exactly as an ingest reads it (`ingest.planning`), but nothing is embedded or
written, so it answers in a second and never touches the live knowledge base. DOC is a doc id, a path relative
to the folder, or a file's path (then its folder is read when PATH is not given).

Example::

    $ python -m ingest --explain dibao_shenhe_shenpi_banfa_shixing_2012 ../shared/realdocs
    superseded_by   dibao_shenhe_queren_banfa_2021
                    ← dibao_shenhe_queren_banfa_2021 line 187 (by title): 第四十二条 本办法自2021年7月1日起施行，…
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from core.errors import CorpusError, NotFound
from core.knowledge.models import DocumentMeta
from ingest.corpus import doc_id_for, scan
from ingest.planning import Plan, link_documents, plan_documents
from ingest.readers.provenance import Found, TextReading
from ingest.report import IngestReport

_LINE_CHARS = 140
_SHOWN = [f.name for f in dataclasses.fields(DocumentMeta) if f.name not in ("doc_id", "source")]


def explain(doc: str, folder: Path | None, default_folder: Path, today: date | None = None) -> str:
    """The explanation of one document of `folder` (see the module doc); NotFound when DOC is not in it."""
    path = Path(doc)
    if folder is None:
        folder = path.parent if path.is_file() else default_folder
    if not folder.is_dir():
        raise CorpusError(f"{folder} is not a folder")
    corpus = scan(folder)
    report = IngestReport()
    plan = plan_documents(corpus, None, None, report)
    link_documents(plan, report)
    doc_id = _doc_id(doc, folder, corpus.docs_root, plan)
    return "\n".join(_lines(doc_id, plan, today or date.today(), report))


def _doc_id(doc: str, folder: Path, docs_root: Path, plan: Plan) -> str:
    if doc in plan.docs:
        return doc
    path = Path(doc)
    for base in (docs_root, folder):
        for candidate in (path, folder / path):
            try:
                rel = candidate.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                continue
            if doc_id_for(rel) in plan.docs:
                return doc_id_for(rel)
    by_source = {d.meta.source: i for i, d in plan.docs.items()}
    if doc in by_source:
        return by_source[doc]
    raise NotFound(f"{doc} is not a readable document of {folder} (give a doc id or the file's path)")


def _lines(doc_id: str, plan: Plan, today: date, report: IngestReport) -> list[str]:
    meta = plan.docs[doc_id].meta
    reading = plan.readings.get(doc_id, TextReading())
    out = [f"{doc_id}  ({meta.source})", ""]
    for name in _SHOWN:
        value = getattr(meta, name)
        out.append(f"{name:<15} {_value(value)}")
        out += [f"{'':<15} {why}" for why in _whence(name, value, doc_id, reading, plan)]
    state = "yes" if meta.in_force(today) else "no" + (" (superseded)" if meta.superseded_by else "")
    out.append(f"{'in force today':<15} {state}")
    if reading.targets:
        out += ["", "repeal clauses in its text:"]
        for t in reading.targets:
            to = f"→ {t.doc_id} ({t.why})" if t.doc_id else f"links to nothing: {t.why}"
            out.append(f"  line {t.clause.lineno} {t.clause.verb} {t.named.label()} {to}")
    if reading.conflicts:
        out += ["", "conflicts (front matter wins):"] + [f"  {c}" for c in reading.conflicts]
    return out


def _value(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _whence(name: str, value: object, doc_id: str, reading: TextReading, plan: Plan) -> list[str]:
    """Where a field's value came from: front matter, a line of this text, or a line of another document."""
    if name in ("supersedes", "superseded_by") and value:
        return _link_source(name, str(value), doc_id, reading, plan)
    found = reading.found.get(name)
    if name in reading.front_matter:
        text = f"; the text says {found.value}: {_where(found)}" if found and found.value != value else ""
        return [f"← front matter{text}"]
    if found is None or value is None or value is False:
        return []
    return [f"← {_where(found)}"]


def _link_source(name: str, other: str, doc_id: str, reading: TextReading, plan: Plan) -> list[str]:
    if name in reading.front_matter:
        return ["← front matter"]
    old, new = (other, doc_id) if name == "supersedes" else (doc_id, other)
    new_reading = plan.readings.get(new)
    for t in new_reading.targets if new_reading else []:
        if t.doc_id == old:
            return [f"← {new} line {t.clause.lineno} ({t.why}): {_cut(t.clause.line)}"]
    other_reading = plan.readings.get(other)
    if other_reading and ({"supersedes", "superseded_by"} & other_reading.front_matter):
        return [f"← front matter of {other}"]
    return []


def _where(found: Found) -> str:
    where = f"{found.source} line {found.lineno}" if found.source else f"line {found.lineno}"
    return f"{where}: {_cut(found.line)}" if found.lineno else _cut(found.line)


def _cut(line: str) -> str:
    return line if len(line) <= _LINE_CHARS else line[: _LINE_CHARS - 1] + "…"
