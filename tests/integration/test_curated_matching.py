"""Matching questions to curated answers on the real corpus with the real embedding model: paraphrases match, and
questions that only look alike (another measure, another fact, another period, another grade) never do."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.answers.curated import CuratedAnswers, lapse_reason
from core.errors import InvalidInput
from core.services import Services

CURATED = {
    "雨露计划每学期补助多少钱": (
        [
            "雨露计划一个学期能补多少",
            "雨露计划每学期给多少钱",
            "读职高的雨露计划补助一学期多少钱",
            "雨露计划一学期补多少",
        ],
        [
            "雨露计划怎么申请",
            "雨露计划找谁申请",
            "残疾人两项补贴每月多少钱",
            "低保每月补助多少钱",
            "春蕾计划每学期补助多少钱",
            "雨露计划每年补助多少钱",
            "上本科有雨露计划补助吗",
        ],
    ),
    "危房改造D级每户补助多少": (
        ["D级危房改造能补多少钱"],
        ["危房改造C级每户补助多少", "危房改造要什么材料"],
    ),
    "小额信贷最多能贷多少": (
        [],
        ["小额信贷利率多少", "小额信贷要多长时间还"],
    ),
}


@dataclass(frozen=True)
class Entry:
    id: int
    questions: tuple[str, ...]
    answer: str
    citations: tuple[tuple[str, str], ...]


class Source:
    """An in-memory CuratedSource (the records store is tested in tests/api)."""

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = entries
        self.used: list[int] = []

    def entries(self) -> list[Entry]:
        return self._entries

    def record_use(self, entry_id: int) -> None:
        self.used.append(entry_id)


@pytest.fixture(scope="module")
def matcher(corpus_services: Services) -> CuratedAnswers:
    quote = ("qinghe-education-aid-2023", "每生每学期补助1500元")
    entries = [Entry(i, (q,), "答案", (quote,)) for i, q in enumerate(CURATED, 1)]
    return CuratedAnswers(Source(entries), corpus_services.retriever)


@pytest.mark.parametrize(
    ("curated", "asked", "same"),
    [(c, p, True) for c, (ps, _) in CURATED.items() for p in ps]
    + [(c, n, False) for c, (_, ns) in CURATED.items() for n in ns],
)
def test_paraphrases_match_and_near_misses_do_not(
    matcher: CuratedAnswers, corpus_services: Services, curated: str, asked: str, same: bool
) -> None:
    view = corpus_services.knowledge.current()
    found = matcher.match(view, corpus_services.retriever.analyze(view, asked))
    if same:
        assert found is not None and found.item.questions == (curated,), asked
    else:
        assert found is None or found.item.questions != (curated,), (asked, found)


def test_drafts_are_held_to_the_documents(matcher: CuratedAnswers, corpus_services: Services) -> None:
    view = corpus_services.knowledge.current()
    doc = "qinghe-education-aid-2023"
    matcher.check_draft(view, "每生每学期补助1500元[1]", [(doc, "每生每学期补助1500元")])
    with pytest.raises(InvalidInput, match="1600"):
        matcher.check_draft(view, "补助1600元", [(doc, "每生每学期补助1500元")])
    with pytest.raises(InvalidInput, match="word for word"):
        matcher.check_draft(view, "补助", [(doc, "每生每学期补助一千五百元")])
    assert lapse_reason(view, [(doc, "每生每学期补助1500元")]) is None
    assert lapse_reason(view, [("gone", "x")]) == "removed"
    assert lapse_reason(view, [(doc, "这句话不在文件里")]) == "quote_changed"
    superseded = next(d.meta.doc_id for d in view.documents() if d.meta.superseded_by)
    quote = view.document(superseded).text[:20]
    assert lapse_reason(view, [(superseded, quote)]) == "superseded"
