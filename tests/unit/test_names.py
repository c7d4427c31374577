"""Masking people's names in questions cadres review (core/records/names.py; the measurement is in its docstring)."""

from __future__ import annotations

import pytest

from core.records.names import find_names, mask_names


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("白沙村张志强家的低保怎么还没发", "白沙村张**家的低保怎么还没发"),
        ("帮吴桂兰问一下危房改造", "帮吴**问一下危房改造"),
        ("村民王秀兰反映低保被取消了", "村民王**反映低保被取消了"),
        ("我替隔壁陈国平问一下", "我替隔壁陈**问一下"),
        ("韩梅梅考上大学了有雨露计划吗", "韩**考上大学了有雨露计划吗"),
    ],
)
def test_names_are_masked_to_the_surname(text: str, masked: str) -> None:
    assert mask_names(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "低保每月多少钱",
        "高龄补贴怎么领",
        "石桥村的路什么时候修",
        "白沙乡的医保在哪交",
        "何时发放补贴",
        "林业补贴有哪些",
    ],
)
def test_policy_words_and_places_are_not_names(text: str) -> None:
    assert find_names(text) == [] and mask_names(text) == text
