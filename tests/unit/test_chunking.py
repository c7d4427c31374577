"""ingest.chunking: structure-aware chunks of Chinese policy text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.chunking import Chunk, chunk_text, is_heading_line

NOTICE = """青禾县防止返贫动态监测和帮扶工作实施方案

各乡镇人民政府，县直各单位：
为巩固拓展脱贫攻坚成果，守住不发生规模性返贫的底线，制定本方案。

一、监测对象
（一）脱贫不稳定户。年人均纯收入低于监测范围的脱贫户。
（二）边缘易致贫户。年人均纯收入低于监测范围的一般农户。

二、帮扶措施
（一）产业帮扶
1. 对发展种养业的监测户，每户给予不超过3000元的奖补。
2. 优先安排小额信贷，给予贴息。
（二）就业帮扶
有劳动能力的监测户，优先安排公益性岗位。

三、工作要求
各乡镇要落实属地责任，每月开展一次排查。
"""

REGULATION = """青禾县农村低收入群体住房安全保障实施办法

第一章 总　则

第一条 为保障农村低收入群体住房安全，根据有关规定，结合本县实际，制定本办法。
第二条 本办法适用于本县行政区域内农村低收入群体的住房安全保障工作。

第二章 申请条件

第五条 符合下列条件之一的农户，可以申请危房改造补助：
（一）脱贫户；
（二）监测户；
（三）低保户。
第六条 申请人应当提交身份证、户口簿和房屋安全等级鉴定报告。
"""


def _assert_verbatim_and_ordered(text: str, chunks: list[Chunk]) -> None:
    previous_end = 0
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.text == chunk.text.strip()
        assert chunk.start >= previous_end
        previous_end = chunk.end


def _by_prefix(chunks: list[Chunk], prefix: str) -> Chunk:
    return next(c for c in chunks if c.text.startswith(prefix))


def test_heading_lines_are_recognised() -> None:
    for line in [
        "第一章 总则",
        "第二节 申请",
        "第十二条 本办法……",
        "一、监测对象",
        "（一）产业帮扶",
        "(二)就业",
        "1. 奖补",
        "2、贴息",
        "（3）其他",
        "　　第一条　为了",
    ]:
        assert is_heading_line(line), line
    for line in ["为巩固拓展脱贫攻坚成果", "1.5万元的补助", "2023年3月15日", "各乡镇人民政府："]:
        assert not is_heading_line(line), line


def test_articles_start_chunks_and_carry_chapter_and_article() -> None:
    chunks = chunk_text(REGULATION)
    _assert_verbatim_and_ordered(REGULATION, chunks)
    # The title line and the bare chapter heading open the first article's chunk.
    first = chunks[0]
    assert first.text.startswith("青禾县农村低收入群体住房安全保障实施办法\n\n第一章 总　则\n\n第一条 为保障")
    assert first.section == "第一章 总则 › 第一条"
    assert first.text.endswith("制定本办法。")
    assert _by_prefix(chunks, "第二条").section == "第一章 总则 › 第二条"
    fifth = _by_prefix(chunks, "第二章")
    assert fifth.section == "第二章 申请条件 › 第五条"
    # An article's items stay in the article's chunk and are not sections of their own.
    assert "（三）低保户。" in fifth.text
    assert "第六条" not in fifth.text
    assert _by_prefix(chunks, "第六条").section == "第二章 申请条件 › 第六条"


def test_notice_sections_follow_numbered_headings() -> None:
    chunks = chunk_text(NOTICE)
    _assert_verbatim_and_ordered(NOTICE, chunks)
    assert chunks[0].section is None
    assert chunks[0].text.startswith("青禾县防止返贫动态监测和帮扶工作实施方案")
    monitored = _by_prefix(chunks, "一、监测对象")
    assert monitored.section == "一、监测对象 › （一）脱贫不稳定户"
    assert _by_prefix(chunks, "（二）边缘易致贫户").section == "一、监测对象 › （二）边缘易致贫户"
    industry = _by_prefix(chunks, "二、帮扶措施")
    # Short numbered items are packed together under their section.
    assert industry.section == "二、帮扶措施 › （一）产业帮扶"
    assert "2. 优先安排小额信贷" in industry.text
    assert "（二）就业帮扶" not in industry.text
    assert _by_prefix(chunks, "（二）就业帮扶").section == "二、帮扶措施 › （二）就业帮扶"
    assert _by_prefix(chunks, "三、工作要求").section == "三、工作要求"


def test_long_headings_are_truncated_in_the_section_path() -> None:
    text = "一、关于进一步健全完善农村低收入人口常态化帮扶机制的若干具体工作要求\n各地要抓好落实。"
    (chunk,) = chunk_text(text)
    assert chunk.section is not None
    assert len(chunk.section) <= 21
    assert chunk.section.startswith("一、关于进一步") and chunk.section.endswith("…")


def test_chunks_respect_max_chars_and_split_at_sentence_ends() -> None:
    sentence = "符合条件的监测户可以申请产业奖补资金。"
    text = "一、产业帮扶\n" + sentence * 40
    chunks = chunk_text(text, max_chars=120)
    _assert_verbatim_and_ordered(text, chunks)
    assert len(chunks) > 1
    assert all(len(c.text) <= 120 for c in chunks)
    assert all(c.text.endswith("。") for c in chunks)
    assert all(c.section == "一、产业帮扶" for c in chunks)


def test_long_sentence_splits_at_commas_then_hard() -> None:
    clause = "对因病因残因灾导致收入骤减的农户"
    text = "，".join([clause] * 30) + "。" + "无" * 500
    chunks = chunk_text(text, max_chars=100)
    _assert_verbatim_and_ordered(text, chunks)
    assert all(len(c.text) <= 125 for c in chunks)
    assert chunks[0].text.endswith("，")
    assert "".join(c.text for c in chunks) == text


def test_tiny_tail_merges_into_previous_chunk() -> None:
    text = "一、要求\n" + "各地要把帮扶措施落实到户到人。" * 7 + "抓好落实。"
    chunks = chunk_text(text, max_chars=100)
    assert chunks[-1].text != "抓好落实。"
    assert chunks[-1].text.endswith("抓好落实。")
    assert all(len(c.text) <= 125 for c in chunks)


def test_overlap_repeats_previous_sentences_within_a_section() -> None:
    sentence = "监测户可以申请公益性岗位。"
    text = "一、就业\n" + sentence * 20 + "\n二、其他\n不重复。"
    plain = chunk_text(text, max_chars=80)
    overlapped = chunk_text(text, max_chars=80, overlap_sentences=1)
    assert len(plain) == len(overlapped)
    assert overlapped[1].start < plain[1].start
    assert overlapped[1].text.startswith(sentence)
    assert overlapped[-1] == plain[-1]  # a new section never repeats the previous one
    for chunk in overlapped:
        assert chunk.text == text[chunk.start : chunk.end]


def test_blank_text_has_no_chunks() -> None:
    assert chunk_text("") == []
    assert chunk_text(" \n\u3000\n\t") == []


_HEADINGS = st.sampled_from(
    [
        "第一章 总则",
        "第二章 申请条件",
        "第三节 审核",
        "第五条 ",
        "第十二条　",
        "一、",
        "二、帮扶措施",
        "（一）",
        "（二）产业帮扶",
        "1. ",
        "2、",
        "（3）",
    ]
)
_SENTENCES = st.text(
    alphabet=st.sampled_from(list("申请补助监测户资金，、ab12 ")), min_size=0, max_size=90
).map(lambda s: s + "。")
_PIECES = st.one_of(
    _HEADINGS.map(lambda h: "\n" + h),
    _SENTENCES,
    st.sampled_from(["\n", "\n\n", " ", "\u3000", "\t", "！", "？", "；"]),
)


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(_PIECES, max_size=40), max_chars=st.integers(min_value=20, max_value=200))
def test_chunks_are_verbatim_ordered_and_cover_all_text(pieces: list[str], max_chars: int) -> None:
    text = "".join(pieces)
    chunks = chunk_text(text, max_chars=max_chars)
    _assert_verbatim_and_ordered(text, chunks)
    covered: set[int] = set()
    for chunk in chunks:
        assert chunk.text
        assert chunk.end - chunk.start <= int(max_chars * 1.25)
        covered.update(range(chunk.start, chunk.end))
    assert {i for i, ch in enumerate(text) if not ch.isspace()} <= covered
