"""Passages of a chunk that can stand as an answer line, and how well each states what a question asks.

A passage is a verbatim span of the chunk: a sentence, or a lead-in ending in "：" together with the items after
it (up to `MAX_PASSAGE_CHARS`). A heading line (第三条 补助标准, 一、申请条件: short, no sentence end) is never a
passage of its own: it is the context of the sentences under it, so its words still count when those sentences
are scored. An enumerated item shown without its lead-in is a fragment and scores lower.

Example::

    [p.text for p in passages_of("第三条 补助标准\\n每户补助1.5万元。")]    # ["每户补助1.5万元。"]
    score = PassageScorer(query_tokens, idf, intents=("amount",)).score(passage)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from core.answers import intent
from core.text import split_sentences, tokenize

MAX_PASSAGE_CHARS = 160
MIN_PASSAGE_CHARS = 8
MAX_HEADING_CHARS = 30
WHOLE_RULE_CHARS = 40
MAX_TITLE_CHARS = 12  # （一）补贴标准。 names a subject; a rule says more

_ENDS = ("。", "！", "？", "；", "：", ":", "，", ",", "!", "?", ";", "…")
_ITEM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．]|[一二三四五六七八九十]+、)")
_ARTICLE = re.compile(r"^\s*第[一二三四五六七八九十百零〇\d]+条")
# The sign-off (落款: issuer and date) and a web page's furniture (版权声明, 责任编辑, 来源：…) answer nothing.
_SIGN_OFF = re.compile(r"^[^，。；：:,]{0,40}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日[）)]?\s*$")
_FURNITURE = re.compile(
    r"版权(声明|所有)|责任编辑|编辑[：:]|来源[：:]|转载|详细阅读|点击(查看|进入)|扫一扫|分享到|打印本页|关闭窗口"
)
_VALIDITY_CLAUSE = re.compile(r"(自|从).{0,16}(起施行|起执行|施行)|同时废止|负责解释")

# What a fact of each kind adds to a passage's score when the question asks for it.
INTENT_BONUS = 0.3
YES_NO_BONUS = 0.1
FRAGMENT_PENALTY = 0.25
VALIDITY_PENALTY = 0.5
TITLE_PENALTY = 0.5
FURNITURE_PENALTY = 0.5
MIN_TITLE_ECHO = 8
EXPANSION_WEIGHT = 0.5  # a glossary term's share of a word the question itself uses


@dataclass(frozen=True)
class Passage:
    """A verbatim span of a chunk, with the heading or lead-in it stands under (for scoring only)."""

    text: str
    context: str = ""
    fragment: bool = False  # an enumerated item whose lead-in is not part of it
    start: int = 0  # where the passage is in the chunk's text: text == chunk_text[start:end]
    end: int = 0


def is_heading(sentence: str) -> bool:
    """A heading line: short and without a sentence end (第四条 申请时间和材料, 二、补助标准), or a numbered
    title that only names its subject (（一）补贴标准。 第八条 医疗救助对象和标准。)."""
    s = sentence.strip()
    if 0 < len(s) <= MAX_HEADING_CHARS and not s.endswith(_ENDS):
        return True
    marker = _ITEM.match(s) or _ARTICLE.match(s)
    rest = s[marker.end() :].strip().rstrip("。") if marker else ""
    return bool(marker) and 0 < len(rest) <= MAX_TITLE_CHARS and not re.search(r"[\d，,：:；;、]", rest)


def _whole_rule(passage: str) -> bool:
    """An enumerated item that states a whole rule on its own (6.对于…的，按照…给予支持。), not a list entry."""
    return len(passage) >= WHOLE_RULE_CHARS and passage.rstrip().endswith(("。", "！", "？"))


@lru_cache(maxsize=65536)
def _words(text: str) -> frozenset[str]:
    return frozenset(tokenize(text))


@lru_cache(maxsize=16384)
def passages_of(text: str) -> tuple[Passage, ...]:
    """The answerable passages of `text`, in order; headings become the context of what follows them."""
    spans = split_sentences(text)
    out: list[Passage] = []
    heading = ""
    lead_in = ""
    i = 0
    while i < len(spans):
        start, end = spans[i]
        sentence = text[start:end]
        if is_heading(sentence):
            heading, lead_in = sentence, ""
            i += 1
            continue
        if _ARTICLE.match(sentence):
            heading = ""  # a new article: the previous article's heading no longer applies
        j = i
        if sentence.rstrip().endswith(("：", ":")):
            # the lead-in takes the items after it while they fit (the first one even if it is not numbered)
            while j + 1 < len(spans):
                nxt_start, nxt_end = spans[j + 1]
                following = text[nxt_start:nxt_end]
                if (
                    nxt_end - start > MAX_PASSAGE_CHARS
                    or (j == i and is_heading(following))  # （一）申请。 opens a sub-section, not a list
                    or (j > i and not _ITEM.match(following))
                ):
                    break
                end = nxt_end
                j += 1
        passage = text[start:end]
        item = bool(_ITEM.match(passage))
        if passage.rstrip().endswith(("：", ":")):
            lead_in = passage  # its items did not fit: they follow as passages of their own
        elif not item:
            lead_in = ""
        out.append(
            Passage(
                passage,
                context=f"{heading} {lead_in if item else ''}".strip(),
                # an item without its lead-in, or a lead-in without its items: half a statement
                fragment=(item and j == i and not _whole_rule(passage))
                or passage.rstrip().endswith(("：", ":")),
                start=start,
                end=end,
            )
        )
        i = j + 1
    return tuple(out)


def continued(chunk_text: str, i: int, limit: int) -> tuple[str, list[int]]:
    """Passage `i` of `chunk_text` and the passages right after it (nothing but whitespace between them) while
    the span stays within `limit` characters: the answer often comes in the sentence after the one that echoes
    the question. Returns the verbatim span and the passage indexes it took."""
    ps = passages_of(chunk_text)
    first, taken = ps[i], [i]
    end = first.end
    for j in range(i + 1, len(ps)):
        nxt = ps[j]
        if chunk_text[end : nxt.start].strip() or nxt.end - first.start > limit:
            break
        end = nxt.end
        taken.append(j)
    return chunk_text[first.start : end], taken


class PassageScorer:
    """Scores passages for one question: IDF-weighted share of its words, plus the kind of fact it asks for."""

    def __init__(
        self,
        query_tokens: Iterable[str],
        idf: Callable[[str], float],
        intents: Sequence[str],
        expansion_tokens: Iterable[str] = (),
    ) -> None:
        # The asked words say which sentence answers; a glossary's policy terms only point at the document.
        self.weights = {t: EXPANSION_WEIGHT * idf(t) for t in set(expansion_tokens)}
        self.weights.update({t: idf(t) for t in set(query_tokens)})
        self.total = sum(self.weights.values()) or 1.0
        self.intents = tuple(intents)
        self.wants_validity = intent.VALIDITY in self.intents

    def score(self, passage: Passage, title: str = "") -> float:
        """How well `passage` answers the question (higher is better; about 0–1.5); `title`: its document's."""
        words = _words(passage.text)
        context = _words(passage.context) if passage.context else frozenset()
        value = 0.0
        for token, weight in self.weights.items():
            if token in words:
                value += weight
            elif token in context:
                value += 0.5 * weight  # the heading says what the sentence is about
        value /= self.total
        bonus = 0.0
        for kind in self.intents:
            if intent.states(kind, passage.text):
                bonus += YES_NO_BONUS if kind == intent.YES_NO else INTENT_BONUS
        value += min(bonus, INTENT_BONUS * 1.5)
        if passage.fragment:
            value -= FRAGMENT_PENALTY
        if not self.wants_validity and _VALIDITY_CLAUSE.search(passage.text):
            value -= VALIDITY_PENALTY  # "本办法自…起施行" answers nothing a villager asked
        if len(passage.text) < MIN_PASSAGE_CHARS:
            value -= 1.0
        if _SIGN_OFF.match(passage.text) or _FURNITURE.search(passage.text):
            value -= FURNITURE_PENALTY
        if len(title) >= MIN_TITLE_ECHO and title in passage.text:
            value -= TITLE_PENALTY  # the header that repeats the title names the subject, it answers nothing
        return value
