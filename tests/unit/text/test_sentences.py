"""core.text.sentences: verbatim sentence spans."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from core.text import split_sentences


def test_split_sentences_on_terminators_and_newlines() -> None:
    text = "第一条 为保障住房安全，制定本办法。\n  第二条 本办法适用于本县；其他地方参照！\n\n怎么申请？"
    sentences = [text[s:e] for s, e in split_sentences(text)]
    assert sentences == [
        "第一条 为保障住房安全，制定本办法。",
        "第二条 本办法适用于本县；",
        "其他地方参照！",
        "怎么申请？",
    ]


def test_split_sentences_keeps_closing_quotes_and_trailing_text() -> None:
    text = "他说：“可以申请。”然后走了？！剩下没有句号"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "他说：“可以申请。”",
        "然后走了？！",
        "剩下没有句号",
    ]


def test_split_sentences_does_not_split_urls() -> None:
    text = "详见 https://example.org/a?id=1;b 的说明。"
    assert [text[s:e] for s, e in split_sentences(text)] == [text]


def test_split_sentences_of_blank_text() -> None:
    assert split_sentences("") == []
    assert split_sentences(" \n\u3000\n") == []


@given(st.text(alphabet=st.sampled_from(list("申请补助。！？；，\n 　ab1\t”")), max_size=80))
def test_split_sentences_spans_are_trimmed_ordered_and_cover_all_text(text: str) -> None:
    spans = split_sentences(text)
    covered = set()
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end
        assert not text[start].isspace() and not text[end - 1].isspace()
        covered.update(range(start, end))
        previous_end = end
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered
