"""Rendering (bot.render): splitting under Telegram's limit with valid HTML in every part; data always escaped;
and the fake server refusing what Telegram refuses.
"""

from __future__ import annotations

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
