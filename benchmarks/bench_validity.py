"""`make bench-validity REALDOCS=DIR`: what the texts of a folder say about their own status, against its manifest.

python -m benchmarks.bench_validity [DIR]   (default ../shared/realdocs)

The folder is read and linked exactly as `python -m ingest` reads it (`ingest.planning`; nothing is embedded or
written). Printed: a table of every document (issuer, 文号, date, effective_to, links as read), every repeal clause
found in the texts and what it was linked to, the links against the folder's MANIFEST.tsv (a note "SUPERSEDED by
<文号>" names the expected successor by its manifest 文号), and per-field coverage with agreement with the
manifest where it states a value. Exits 1 when a link is false or an expected one is missing.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from core.knowledge.models import DocumentMeta
from ingest.corpus import doc_id_for, scan
from ingest.planning import Plan, link_documents, plan_documents
from ingest.readers.provenance import doc_number_key
from ingest.report import IngestReport

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = ROOT.parent / "shared" / "realdocs"
COLUMNS = (("doc", 46), ("issuer", 30), ("文号", 32), ("date", 12), ("effective_to", 14), ("links", 0))


@dataclass
class ManifestRow:
    """One line of MANIFEST.tsv: what the folder's curator recorded about a file."""

    doc_id: str
    issuer: str
    doc_number: str
    date: str
    notes: str


def read_manifest(folder: Path) -> dict[str, ManifestRow]:
    """doc id → its MANIFEST.tsv row (empty when the folder has none)."""
    path = folder / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return {
        doc_id_for(r["filename"]): ManifestRow(
            doc_id_for(r["filename"]),
            r.get("issuing_body") or "",
            r.get("doc_number") or "",
            r.get("date") or "",
            r.get("notes") or "",
        )
        for r in rows
        if r.get("filename")
    }


def expected_links(manifest: dict[str, ManifestRow]) -> set[tuple[str, str]]:
    """(old, new) pairs the manifest's notes state: "SUPERSEDED by 民发〔2021〕57号" names new by its 文号."""
    by_number = {doc_number_key(r.doc_number): r.doc_id for r in manifest.values() if r.doc_number}
    links = set()
    for row in manifest.values():
        m = re.search(r"SUPERSEDED by (\S+)", row.notes)
        if m and doc_number_key(m.group(1)) in by_number:
            links.add((row.doc_id, by_number[doc_number_key(m.group(1))]))
    return links


def found_links(plan: Plan) -> set[tuple[str, str]]:
    return {(d.meta.doc_id, d.meta.superseded_by) for d in plan.docs.values() if d.meta.superseded_by}


def agrees(field: str, meta: DocumentMeta, row: ManifestRow) -> bool | None:
    """Whether a field as read agrees with the manifest; None when either has no value to compare."""
    if field == "issuer":
        if not (meta.issuer and row.issuer):
            return None
        read = set(re.split(r"[\s、，,]+", meta.issuer))
        return read <= set(re.split(r"[\s、，,]+", re.sub(r"[（(].*?[）)]", "", row.issuer)))
    if field == "doc_number":
        number = re.sub(r"\s*[（(].*$", "", row.doc_number).strip()
        if not (meta.doc_number and number):
            return None
        return doc_number_key(meta.doc_number) == doc_number_key(number)
    stated = re.match(r"\d{4}(?:-\d{2}){0,2}", row.date)
    if not (meta.issued and stated):
        return None
    return meta.issued.isoformat().startswith(stated.group(0))


def _cell(text: str, width: int) -> str:
    """`text` cut and padded to `width` terminal columns (a CJK character is two)."""
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width and used + w > width - 1:
            out, used = out + "…", used + 1
            break
        out, used = out + ch, used + w
    return out + " " * max(0, width - used) if width else out


def table(plan: Plan) -> list[str]:
    lines = ["".join(_cell(name, w) for name, w in COLUMNS)]
    for doc_id, doc in sorted(plan.docs.items()):
        m = doc.meta
        links = [f"supersedes {m.supersedes}"] if m.supersedes else []
        links += [f"superseded by {m.superseded_by}"] if m.superseded_by else []
        values = (
            doc_id,
            m.issuer or "–",
            m.doc_number or "–",
            str(m.issued or "–"),
            str(m.effective_to or "–"),
        )
        cells = [_cell(v, w) for v, (_, w) in zip(values, COLUMNS, strict=False)]
        lines.append("".join(cells) + ("; ".join(links) or "–"))
    return lines


def clause_lines(plan: Plan) -> list[str]:
    lines = []
    for doc_id, reading in sorted(plan.readings.items()):
        for t in reading.targets:
            to = f"→ {t.doc_id} ({t.why})" if t.doc_id else f"→ nothing ({t.why})"
            lines.append(f"  {doc_id} line {t.clause.lineno} {t.clause.verb} {t.named.label()} {to}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_validity", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    args = parser.parse_args(argv)
    folder: Path = args.folder
    if not folder.is_dir():
        print(f"{folder} is not a folder; pass the realdocs folder, e.g. ../shared/realdocs", file=sys.stderr)
        return 2
    started = time.perf_counter()
    report = IngestReport()
    plan = plan_documents(scan(folder), None, None, report)
    link_documents(plan, report)
    seconds = time.perf_counter() - started
    n = len(plan.docs)
    print(f"{folder}: {n} documents read and linked in {seconds:.2f} s ({len(report.failed)} failed)\n")
    print("\n".join(table(plan)))
    clauses = clause_lines(plan)
    print(f"\nrepeal clauses in the texts ({len(clauses)} named documents):")
    print("\n".join(clauses) or "  none")

    manifest = read_manifest(folder)
    expected, found = expected_links(manifest), found_links(plan)
    false, missed = sorted(found - expected), sorted(expected - found)
    print(
        f"\nlinks against MANIFEST.tsv: expected {len(expected)}, found {len(found)}, "
        f"correct {len(found & expected)}, false {len(false)}, missed {len(missed)}"
    )
    for old, new in false:
        print(f"  FALSE {old} → {new}")
    for old, new in missed:
        print(f"  MISSED {old} → {new}")

    print("\ncoverage (read from the texts; agree = same as MANIFEST.tsv where both have a value):")
    for field, label in (("issuer", "issuer"), ("doc_number", "文号"), ("issued", "date")):
        read = [d.meta for d in plan.docs.values() if getattr(d.meta, field)]
        verdicts = {m.doc_id: agrees(field, m, manifest[m.doc_id]) for m in read if m.doc_id in manifest}
        compared = [v for v in verdicts.values() if v is not None]
        print(f"  {_cell(label, 16)}{len(read):>3}/{n}   agree {sum(compared)}/{len(compared)}")
        for doc_id in sorted(i for i, v in verdicts.items() if v is False):
            stated = {"issuer": manifest[doc_id].issuer, "doc_number": manifest[doc_id].doc_number}
            print(
                f"      {doc_id}: read {getattr(plan.docs[doc_id].meta, field)}, "
                f"MANIFEST {stated.get(field, manifest[doc_id].date)}"
            )
    for field in ("effective_from", "effective_to", "trial"):
        print(f"  {_cell(field, 16)}{sum(1 for d in plan.docs.values() if getattr(d.meta, field)):>3}/{n}")
    return 1 if false or missed else 0


if __name__ == "__main__":
    sys.exit(main())
