"""Rendering (bot.render): splitting under Telegram's limit with valid HTML in every part; data always escaped;
and the fake server refusing what Telegram refuses.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot import render
from bot import texts as T
from tests.bot.fake_telegram import parse_html, utf16_len


def test_split_html_keeps_every_part_valid_and_under_the_limit() -> None:
    passage = "第一条 " + "防止返贫监测对象<按规定>享受帮扶&救助。" * 600  # one long line, ~14,000 characters
    text = "<b>标题</b>\n" + "\n".join(f"• 第{i}行 <i>{render.esc('a<b')}</i>" for i in range(300))
    text += "\n\n" + f"<blockquote>{render.esc(passage)}</blockquote>"
    parts = render.split_html(text, limit=4096)
    assert len(parts) >= 4
    for part in parts:
        assert utf16_len(part) <= 4096
        parse_html(part)  # raises on unbalanced tags or unescaped text
    assert "".join(parse_html(p) for p in parts).replace("\n", "") == parse_html(text).replace("\n", "")
    assert render.split_html("short") == ["short"] and render.split_html("  ") == []


def test_document_text_is_always_escaped() -> None:
    citation = {
        "title": "<script>x</script>",
        "doc_number": "A&B",
        "section": "第一条",
        "text": "1 < 2 & 3 > 2",
    }
    text = render.passage(citation, {"issuer": "<i>县</i>", "in_force": False})
    assert parse_html(text).count("<script>") == 1 and "&lt;script&gt;" in text
    assert T.PASSAGE_EXPIRED in text
    data = {
        "answer": "<b>不是标签</b>[1]",
        "abstained": False,
        "citations": [{"n": 1, **citation, "doc_id": "d"}],
    }
    assert "&lt;b&gt;不是标签&lt;/b&gt;[1]" in render.answer(data)


def test_the_fake_server_refuses_what_telegram_refuses() -> None:
    with pytest.raises(Exception, match="parse entities"):
        parse_html("1 < 2")
    with pytest.raises(Exception, match="parse entities"):
        parse_html("<b>open")
    assert parse_html("&lt;b&gt; &amp; <b>粗</b>") == "<b> & 粗"


@pytest.mark.parametrize(
    ("result", "line"),
    [
        ({"amount_value": {"value": 90, "unit": "元/月", "bound": None}}, "可以申请，每月90元"),
        ({"amount_value": {"value": 3.5, "unit": "万元/户"}}, "可以申请，每户3.5万元"),
        ({"amount_value": {"value": 2000.0, "unit": "元/年", "bound": "up_to"}}, "可以申请，每年最多2000元"),
        ({"amount_value": {"value": 50, "unit": "元/月", "bound": "from"}}, "可以申请，每月50元起"),
        ({"amount": "每户最高5万元", "amount_value": None}, "可以申请。每户最高5万元"),  # a loan: the text
        (
            {"amount_value": {"value": 9, "unit": "元/周"}, "amount": "每周9元"},
            "可以申请。每周9元",
        ),  # unknown unit
        ({}, "可以申请"),
    ],
)
def test_an_eligible_result_says_what_it_gives(result: dict[str, object], line: str) -> None:
    assert render.gives(result) == line


def test_check_result_puts_the_amount_on_the_eligible_line_and_escapes_it() -> None:
    results: list[dict[str, Any]] = [
        {
            "name": "重度残疾人护理补贴",
            "status": "eligible",
            "reasons": ["家里有持第二代残疾人证的残疾人"],
            "amount_value": {"value": 90, "unit": "元/月", "bound": None},
        },
        {"name": "A<b>", "status": "eligible", "reasons": [], "amount": "<每户>1元"},
        {
            "name": "临时救助",
            "status": "ineligible",
            "reasons": ["没有突发困难"],
            "amount_value": None,
            "to_confirm": ["不该出现"],
        },
    ]
    text = parse_html(render.check_result(results))
    assert "• 重度残疾人护理补贴：可以申请，每月90元\n　家里有持第二代残疾人证的残疾人" in text
    assert "• A<b>：可以申请。<每户>1元" in text
    assert "临时救助：没有突发困难" in text and "可以申请，" not in text.split("暂不符合")[1]
    assert T.CHECK_ELIGIBLE_HEAD.format(count=2).replace("<b>", "").replace("</b>", "") in text
    assert "不该出现" not in text  # conditions to confirm matter only for a measure one may get


def test_check_result_says_what_is_checked_when_applying() -> None:
    results = [
        {
            "name": "外出务工一次性交通补贴",
            "status": "eligible",
            "reasons": [],
            "amount": "跨省每人每年500元",
            "to_confirm": ["当年在外连续务工3个月以上", "<带证明>"],
        }
    ]
    text = parse_html(render.check_result(results))
    assert "申请时还要核实：当年在外连续务工3个月以上；<带证明>" in text
