"""core.text.normalize: width and script normalisation of user text."""

from __future__ import annotations

from core.text import normalize_query, to_halfwidth, to_simplified


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
