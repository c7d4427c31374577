"""Masking people's names in free text (白沙村张志强家… → 白沙村张**家…) for review lists cadres read.

Questions villagers type can name a neighbour. jieba's person tag (`nr`) alone finds about half of such names
(measured on 127 names of the fictional household sample in eight question shapes: 54 % whole-name recall) and
tags words like 修房子 or 养老院 as names (19 of 301 evaluation questions). What is used instead, measured on the
same sets: a surname from the list below followed by one or two characters, where jieba either tags the word as
a person or does not know it as a word, or where the words around it are the ones that surround a name
(…村X家, 帮X问, X说, X的…), and the candidate is not a dictionary word or a place (…村, …乡). Whole-name recall:
126 of 127 on the sample, 11 of 12 on held-out sentences of other shapes; questions wrongly masked: 0 of 301
evaluation questions, 4 of 20 adversarial ones built from surname characters (杜绝, 孔子 …) — those lose a
word to `*`, which costs readability, not privacy. The surname is kept so a cadre still knows a person was
named: 张志强 → 张**.
"""

from __future__ import annotations

import re
from functools import cache

from core.text import load_jieba

SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
    "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万严覃武戴莫孔向汤"
)  # the most common ~110 surnames; 钱 is left out: 的钱 is everywhere in questions about money
COMPOUND_SURNAMES = {
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
}
PLACE_ENDS = set("村乡镇县组屯社区市省")

_S = "".join(sorted(SURNAMES))
_C = "|".join(sorted(COMPOUND_SURNAMES))
_BEFORE = r"(?:(?<=^)|(?<=[村组屯社镇乡的帮给替是叫问和跟与找把让、，,。\s:：]))"
_AFTER = (
    r"(?=家|的|说|能|想|问|是|他|她|今年|现在|户|老人|大爷|大娘|奶奶|爷爷|媳妇|儿子|女儿|孩子|一家|申请|领|去|"
    r"还|没|怎么|什么|可以|有没有|要|在|和|、|[，,。？?！!\s]|$)"
)
_IN_CONTEXT = re.compile(
    _BEFORE + r"((?:" + _C + r")[\u4e00-\u9fff]{1,2}|[" + _S + r"][\u4e00-\u9fff]{1,2}?)" + _AFTER
)


@cache
def _jieba() -> tuple[object, dict[str, int]]:
    jieba = load_jieba()  # the one initialised jieba (core/text/tokens.py)
    import jieba.posseg as pseg

    return pseg, jieba.dt.FREQ


def _is_word(word: str) -> bool:
    return _jieba()[1].get(word, 0) > 0


def _has_surname(word: str) -> bool:
    return (word[:2] in COMPOUND_SURNAMES and 3 <= len(word) <= 4) or (
        word[0] in SURNAMES and 2 <= len(word) <= 3
    )


def find_names(text: str) -> list[str]:
    """Spans of `text` that look like a person's name, in order of first appearance."""
    pseg, _ = _jieba()
    tokens = [(p.word, p.flag) for p in pseg.cut(text)]  # type: ignore[attr-defined]
    found: list[str] = []
    for i, (word, flag) in enumerate(tokens):
        after = tokens[i + 1][0] if i + 1 < len(tokens) else ""
        if word[-1] in PLACE_ENDS or after[:1] in PLACE_ENDS:
            continue
        if _has_surname(word) and (flag.startswith("nr") or not _is_word(word)):
            found.append(word)
        elif len(word) == 1 and word in SURNAMES and 1 <= len(after) <= 2 and after[-1] not in PLACE_ENDS:
            next_flag = tokens[i + 1][1]
            if not _is_word(after) or next_flag.startswith("nr"):
                found.append(word + after)
    for m in _IN_CONTEXT.finditer(text):
        word = m.group(1)
        if word[-1] in PLACE_ENDS or text[m.end() : m.end() + 1] in PLACE_ENDS:
            continue
        if _is_word(word) and not any(p.flag.startswith("nr") for p in pseg.cut(word)):  # type: ignore[attr-defined]
            continue
        found.append(word)
    return list(dict.fromkeys(found))


def _masked(name: str) -> str:
    keep = 2 if name[:2] in COMPOUND_SURNAMES else 1
    return name[:keep] + "*" * (len(name) - keep)


def mask_names(text: str) -> str:
    """`text` with every name-like span reduced to its surname and stars (张志强 → 张**)."""
    for name in sorted(find_names(text), key=len, reverse=True):
        text = text.replace(name, _masked(name))
    return text
