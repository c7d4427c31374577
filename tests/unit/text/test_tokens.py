"""core.text.tokens: the one jieba tokenizer."""

from __future__ import annotations

import threading

from core.text import load_jieba, tokenize


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


def test_jieba_is_loaded_once_for_every_user() -> None:
    jieba = load_jieba()
    assert load_jieba() is jieba and jieba.dt.initialized
    assert jieba.get_FREQ("危房") is not None  # the relevance lexicon reads word frequencies from it
