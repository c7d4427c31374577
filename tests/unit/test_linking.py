"""ingest.planning.link_documents: repeal clauses linked to documents of the corpus, and only to them."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from core.knowledge.store import StoredDocument
from ingest.planning import Plan, link_documents
from ingest.readers.common import document_from_text
from ingest.report import IngestReport

OLD = "某县最低生活保障审核审批办法（试行）\n第一条 对有劳动能力的低保家庭，农村按季复核。\n第三十九条 本办法自公布之日起施行。"
NEW = (
    "某县最低生活保障审核确认办法\n第一条 对家庭成员有劳动能力的低保家庭，每半年核查一次。\n"
    "第三十条 本办法自2021年7月1日起施行，2012年12月12日某县民政局印发的《某县最低生活保障审核审批办法（试行）》"
    "（某民发〔2012〕220号）同时废止。"
)


def _plan(texts: dict[str, str], **meta: dict[str, object]) -> tuple[Plan, IngestReport]:
    """A plan of documents read from `texts` (doc id → text); `meta` overrides fields as front matter would."""
    docs, readings = {}, {}
    for doc_id, text in texts.items():
        parsed = document_from_text(text, Path(f"{doc_id}.txt"))
        stated = meta.get(doc_id, {})
        parsed.reading.front_matter = frozenset(stated)
        m = dataclasses.replace(parsed.meta, doc_id=doc_id, source=f"{doc_id}.txt", **stated)
        docs[doc_id] = StoredDocument(m, parsed.text, doc_id)
        readings[doc_id] = parsed.reading
    plan = Plan(docs=docs, chunks=[], parsed=len(docs), readings=readings)
    report = IngestReport()
    link_documents(plan, report)
    return plan, report


def test_linked_by_normalised_title_both_ways_and_the_old_one_learns_its_number() -> None:
    plan, report = _plan({"old": OLD, "new": NEW})
    old, new = plan.docs["old"].meta, plan.docs["new"].meta
    assert old.superseded_by == "new" and new.supersedes == "old"
    assert not old.in_force(date(2025, 1, 1)) and new.in_force(date(2025, 1, 1))
    # what the clause says of the old document fills what its own text left out, with the clause's line
    assert (old.doc_number, old.issuer, old.issued) == (
        "某民发〔2012〕220号",
        "某县民政局",
        date(2012, 12, 12),
    )
    assert old.effective_from == date(2012, 12, 12)  # 自公布之日起施行
    found = plan.readings["old"].found["doc_number"]
    assert found.source == "new" and found.lineno == 3
    [target] = plan.readings["new"].targets
    assert (target.doc_id, target.why) == ("old", "by title")
    assert any("superseded by new" in line for line in report.reading_lines())


def test_linked_by_number_first_whatever_the_title_or_brackets() -> None:
    old = "某县防止返贫监测意见\n某政办[2021]9号\n第一条 正文。"
    new = "某县防止返贫动态监测办法\n第九条 本办法自2023年4月1日起施行。《某县监测预警意见》（某政办〔2021〕9号）同时废止。"
    plan, _ = _plan({"old": old, "new": new})
    assert plan.docs["old"].meta.superseded_by == "new"
    assert plan.readings["new"].targets[0].why == "by 文号"


def test_a_document_not_in_the_corpus_links_to_nothing() -> None:
    other = "某县危房改造办法\n第一条 对C级危房给予维修补助。"
    new = "某县乡村振兴促进条例\n第六十条 本条例自2022年9月1日起施行，《某县农村扶贫开发条例》（某发〔2010〕3号）同时废止。"
    plan, report = _plan({"other": other, "new": new})
    assert all(d.meta.superseded_by is None and d.meta.supersedes is None for d in plan.docs.values())
    [target] = plan.readings["new"].targets
    assert target.doc_id is None and target.why == "not in the corpus"
    assert "0 of them in the corpus" in report.reading_lines()[0]


def test_a_clause_naming_its_own_title_repeals_an_earlier_version_not_itself() -> None:
    text = "某县特困人员认定办法\n第二十九条 本办法自2021年7月1日起施行。2016年10月10日某县民政局印发的《某县特困人员认定办法》同时废止。"
    plan, _ = _plan({"rule": text})
    assert plan.docs["rule"].meta.superseded_by is None and plan.docs["rule"].meta.supersedes is None
    assert plan.readings["rule"].targets[0].doc_id is None


def test_an_earlier_version_of_the_same_title_is_linked_and_a_wrong_year_or_number_is_not() -> None:
    old = "某县特困人员认定办法\n第一条 正文。\n某县民政局\n2016年10月10日"
    new = "某县特困人员认定办法\n第二十九条 本办法自2021年7月1日起施行。2016年10月10日某县民政局印发的《某县特困人员认定办法》同时废止。"
    plan, _ = _plan({"old": old, "new": new})
    assert plan.docs["old"].meta.superseded_by == "new"

    other_year = old.replace("2016年10月10日", "2014年3月1日")
    plan, _ = _plan({"old": other_year, "new": new})
    assert plan.docs["old"].meta.superseded_by is None  # the clause names the 2016 one

    numbered = "某县最低生活保障审核审批办法（试行）\n某民发〔2010〕5号\n第一条 正文。"
    plan, _ = _plan({"old": numbered, "new": NEW})  # same title, another 文号: another document
    assert plan.docs["old"].meta.superseded_by is None


def test_two_documents_of_the_title_are_ambiguous_and_neither_is_linked() -> None:
    plan, _ = _plan({"old_a": OLD, "old_b": OLD.replace("按季", "按月"), "new": NEW})
    assert plan.docs["old_a"].meta.superseded_by is None and plan.docs["old_b"].meta.superseded_by is None
    assert "fits 2 documents" in plan.readings["new"].targets[0].why


def test_a_newer_document_is_never_the_repealed_one() -> None:
    undated = NEW.replace("2012年12月12日某县民政局印发的", "")
    plan, _ = _plan({"old": OLD, "new": undated})
    assert plan.docs["old"].meta.superseded_by == "new"
    newer = OLD + "\n某县民政局\n2023年1月1日"  # issued after the repealing rule took effect
    plan, _ = _plan({"newer": newer, "new": undated})
    assert plan.docs["newer"].meta.superseded_by is None


def test_front_matter_wins_over_a_repeal_clause_and_the_conflict_is_named() -> None:
    third = "某县低保办法\n第一条 正文。"
    plan, report = _plan(
        {"old": OLD, "new": NEW, "third": third}, old={"superseded_by": "third"}, third={"supersedes": "old"}
    )
    assert plan.docs["old"].meta.superseded_by == "third"
    assert report.conflict_lines() == [
        "CONFLICT old: superseded_by: third is kept; the text of new line 3 repeals it too"
    ]
    # front matter that agrees with the text is no conflict
    plan, report = _plan({"old": OLD, "new": NEW}, old={"superseded_by": "new"})
    assert report.conflict_lines() == [] and plan.docs["new"].meta.supersedes == "old"
