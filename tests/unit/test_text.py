"""core.text: width and script normalisation, sentence spans, BM25 tokens."""

from __future__ import annotations

import threading

from hypothesis import given
from hypothesis import strategies as st

from core.text import normalize_query, split_sentences, to_halfwidth, to_simplified, tokenize


def test_to_halfwidth_converts_letters_digits_and_symbols() -> None:
    assert to_halfwidth("ＡＢＣ１２３％＋－／") == "ABC123%+-/"
    assert to_halfwidth("补助３．５万元") == "补助3.5万元"


def test_to_halfwidth_keeps_chinese_punctuation_and_converts_ideographic_space() -> None:
    assert to_halfwidth("能领吗？可以！好，行：是；（一）。") == "能领吗？可以！好，行：是；（一）。"
    assert to_halfwidth("危房　改造") == "危房 改造"


def test_to_simplified() -> None:
    assert to_simplified("醫療補貼") == "医疗补贴"
    assert to_simplified("臨時救助與低保") == "临时救助与低保"
    assert to_simplified("已经是简体") == "已经是简体"
    assert to_simplified("") == ""


def test_normalize_query_strips_collapses_and_converts() -> None:
    assert normalize_query("  醫療補貼\u3000 怎麼 申請？\n ") == "医疗补贴 怎么 申请？"
    assert normalize_query("ＡＢＣ　１２３") == "ABC 123"


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


def test_tokenize_drops_punctuation_and_stop_words_keeps_numbers() -> None:
    tokens = tokenize("我家的危房改造补助是3.5万元吗？")
    assert "危房改造" in tokens
    assert "补助" in tokens
    assert "3.5" in tokens
    assert not {"我家", "的", "是", "吗", "？"} & set(tokens)


def test_tokenize_normalises_width_script_and_case() -> None:
    assert tokenize("醫療補貼") == tokenize("医疗补贴")
    assert "abc" in tokenize("ＡＢＣ 医疗")
    assert tokenize("  ，。！ ") == []


def test_tokenize_is_thread_safe_on_first_use() -> None:
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(tokenize("小额信贷怎么申请"))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(r == results[0] for r in results)
    assert "小额" in results[0] or "小额信贷" in results[0]
