"""Citing a superseded or expired policy always says so, and points to the successor (real corpus)."""

from __future__ import annotations

from typing import Any

from core.answers.compose import _Citations


def test_superseded_citation_names_and_cites_its_successor(corpus_services: Any) -> None:
    view = corpus_services.knowledge.current()
    cites = _Citations(view)
    cites.add(view.chunks_of("qinghe-monitoring-2021")[0], 1.0)
    notes = corpus_services.answers._validity_notes(view, cites)
    successor = view.meta("qinghe-monitoring-2023")
    assert len(notes) == 1 and "[1]" in notes[0] and "已被新文件[2]" in notes[0]
    assert successor.title in notes[0]
    assert [c.doc_id for c in cites.items] == ["qinghe-monitoring-2021", "qinghe-monitoring-2023"]


def test_expired_citation_is_flagged_and_in_force_one_is_not(corpus_services: Any) -> None:
    view = corpus_services.knowledge.current()
    cites = _Citations(view)
    cites.add(view.chunks_of("qinghe-spring-farming-2022")[0], 1.0)  # in force until 2023-12-31
    cites.add(view.chunks_of("qinghe-microcredit-2023")[0], 1.0)
    notes = corpus_services.answers._validity_notes(view, cites)
    assert len(notes) == 1 and notes[0].startswith("注意：[1]") and "已过有效期" in notes[0]
