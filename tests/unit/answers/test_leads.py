"""core.answers.leads: which verbatim passages an answer shows, scored with the fitted PassageWeights."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.answers.intent import classify
from core.answers.leads import LeadPicker
from core.answers.passages import FEATURES, PassageScorer, PassageWeights, passages_of
from core.answers.retrieval import AnalyzedQuery, RetrievedChunk
from core.knowledge.models import ChunkRecord, DocumentMeta
from core.text import tokenize


class _Idf:
    def idf(self, token: str) -> float:
        return 1.0


class _View:
    """What LeadPicker reads of a knowledge view: the document-frequency index, the chunks in document order."""

    def __init__(self) -> None:
        self.chunks: list[ChunkRecord] = []
        self.chunk_index: dict[str, int] = {}
        self.doc_chunks: dict[str, list[int]] = {}

    def derived(self, name: str, factory: Any) -> _Idf:
        return _Idf()


def _hit(text: str, doc_id: str = "doc", score: float = 1.0, **meta: Any) -> RetrievedChunk:
    chunk = ChunkRecord(
        chunk_id=f"{doc_id}#0",
        doc_id=doc_id,
        text=text,
        start=0,
        end=len(text),
        section=None,
        meta=DocumentMeta(doc_id=doc_id, title=f"{doc_id}的办法", source=f"{doc_id}.md", **meta),
    )
    return RetrievedChunk(chunk=chunk, score=score)


def _pick(aq: AnalyzedQuery, *hits: RetrievedChunk) -> list[str]:
    picker = LeadPicker(PassageWeights(), today=lambda: date(2026, 1, 1))
    return [text for _, text, _ in picker.pick(_View(), aq, hits, classify(aq.normalized))]  # type: ignore[arg-type]


def test_the_weights_cover_every_feature() -> None:
    assert len(PassageWeights().vector()) == len(FEATURES)
    scorer = PassageScorer(tokenize("补助多少"), lambda t: 1.0, ())
    assert len(scorer.features(passages_of("每户补助1.5万元。")[0])) == len(FEATURES) - 2  # + rank, lapsed


def test_a_phrase_the_question_copies_finds_its_sentence() -> None:
    """One sentence uses every asked word, scattered; the other keeps the question's phrase 暂停举办的展会 whole."""
    scorer = PassageScorer(
        tokenize("暂停举办的展会有何支持"), lambda t: 1.0, (), question="暂停举办的展会有何支持"
    )
    (copied,) = passages_of("因疫情暂停举办的展会，年内继续办的给予场租补贴。")
    (scattered,) = passages_of("展会支持举办期间，各单位暂停对外接待。")
    assert scorer.score(copied) > scorer.score(scattered)


def test_a_follow_ups_carried_topic_finds_the_document_not_the_sentence() -> None:
    """要带什么材料 after a question on 小额信贷: the materials sentence leads, not the one naming the loan."""
    text = (
        "小额信贷面向脱贫户和监测户发放，小额信贷额度5万元以下，小额信贷期限3年以内。\n"
        "申请时带好身份证和户口簿，到村里登记。"
    )
    follow_up = AnalyzedQuery(original="要带什么材料", normalized="要带什么材料 小额信贷", carried="小额信贷")
    assert "身份证" in _pick(follow_up, _hit(text))[0]
    # asked with the loan's name in the question itself, the loan's sentence may lead: the words were asked
    asked = AnalyzedQuery(original="小额信贷", normalized="要带什么材料 小额信贷")
    assert "小额信贷" in _pick(asked, _hit(text))[0].split("。")[0]


def test_a_rule_no_longer_in_force_leads_only_when_nothing_in_force_answers() -> None:
    aq = AnalyzedQuery(original="低保多久复核一次", normalized="低保多久复核一次")
    old = _hit("低保家庭原则上按季复核一次。", "old", 1.0, superseded_by="new")
    new = _hit("低保家庭每半年核查一次。", "new", 0.6)
    lines = _pick(aq, old, new)
    assert lines[0].startswith("低保家庭每半年") and all("按季" not in line for line in lines)
    assert _pick(aq, old) == ["低保家庭原则上按季复核一次。"]  # the only rule there is still answers


def test_a_lead_in_without_its_items_is_never_a_runner_up() -> None:
    text = (
        "第八条 危房改造的申请和审批，按照下列程序办理：\n"
        + "".join(f"（{n}）{'由农户向村民委员会提出书面申请并说明情况' * 7}；\n" for n in "一二三")
        + "乡镇人民政府在10个工作日内完成危房改造申请的审核。"
    )
    aq = AnalyzedQuery(original="危房改造申请多久审核完", normalized="危房改造申请多久审核完")
    lines = _pick(aq, _hit(text))
    assert "10个工作日" in lines[0]
    assert not any(line.rstrip().endswith("：") for line in lines[1:])


def test_a_compound_and_its_parts_count_as_one_word_and_a_half_not_three() -> None:
    """jieba gives 危房改造, 危房 and 改造 for one word: a sentence naming the notice's subject must not outweigh
    one that has the other asked word (补助) just because the subject's word is split three ways."""
    scorer = PassageScorer(tokenize("危房改造补助"), lambda t: 1.0, ())
    subject, other = passages_of("农户实施危房改造，应当遵守规定。")[0], passages_of("每户补助1.5万元。")[0]
    parts = [t for t in tokenize("危房改造") if t != "危房改造"]  # 危房, 房改, 改造
    assert len(parts) >= 2
    # the subject's sentence: 危房改造 once and each part at half; the other: 补助 once
    assert scorer.features(subject)[0] / scorer.features(other)[0] == pytest.approx(1 + 0.5 * len(parts))


def test_runners_up_from_the_leads_own_text_follow_it_in_reading_order() -> None:
    """Two sentences of one rule, the second scored higher as a runner-up than the first: the answer still
    reads them in the text's order after the lead, and a passage of another notice comes after them."""
    from core.answers.leads import _in_reading_order

    a, b = _hit("x", "a").chunk, _hit("y", "b").chunk
    picked = [
        (a, "lead", 1.0),
        (b, "other notice", 1.0),
        (a, "third", 1.0),
        (a, "second", 1.0),
        (a, "before", 1.0),
    ]
    ordered = _in_reading_order(picked, [5, 0, 8, 6, 2])
    assert [text for _, text, _ in ordered] == ["lead", "second", "third", "other notice", "before"]


class _Doc(_View):
    """A view with one document cut into chunks, in order (what _spill_over reads)."""

    def __init__(self, chunks: list[ChunkRecord]) -> None:
        self.chunks = chunks
        self.chunk_index = {c.chunk_id: i for i, c in enumerate(chunks)}
        self.doc_chunks = {"doc": list(range(len(chunks)))}


def _chunk(n: int, text: str, section: str | None = "第三条") -> ChunkRecord:
    meta = DocumentMeta(doc_id="doc", title="doc的办法", source="doc.md")
    return ChunkRecord(f"doc#{n}", "doc", text, 0, len(text), section, meta)


def test_a_lead_at_its_chunks_end_reads_on_into_the_next_chunk_of_its_section_cited_as_that_chunk() -> None:
    """The chunker cut a provision in two: the lead's next sentence opens the next chunk."""
    first = _chunk(
        0, "为支持展会恢复，现就有关措施通知如下。因疫情暂停举办的展会，年内继续举办的给予场租补贴。"
    )
    second = _chunk(1, "补贴按实际场租的50%核定，最高不超过100万元。其他事项另行通知。")
    aq = AnalyzedQuery(original="暂停举办的展会有何补贴", normalized="暂停举办的展会有何补贴")
    picker = LeadPicker(PassageWeights(), today=lambda: date(2026, 1, 1))
    hits = [RetrievedChunk(first, 1.0)]
    picked = picker.pick(_Doc([first, second]), aq, hits, classify(aq.normalized))  # type: ignore[arg-type]
    assert "场租补贴" in picked[0][1]
    assert picked[1][0] is second and picked[1][1].startswith("补贴按实际场租的50%核定")
    # another section's opening is another provision: the lead stops at its chunk's end
    other = _chunk(1, second.text, section="第四条")
    picked = picker.pick(_Doc([first, other]), aq, hits, classify(aq.normalized))  # type: ignore[arg-type]
    assert all(chunk is not other for chunk, _, _ in picked)
